import type { Stack } from 'aws-cdk-lib';

/**
 * A resource as cdk-nag 3 names it in a granular finding id (`AwsSolutions-IAM5[Resource::<id>]`):
 * the resolved value flattened, `Ref` as `<LogicalId>`, `Fn::GetAtt` as `<LogicalId.Attribute>`,
 * `Fn::Join` joined. The same rules as cdk-nag's flattenCfnReference, without depending on cdk-nag
 * (the package does not ship it); test/unit/lib/grants.test.ts checks the ids against cdk-nag itself.
 */
export function nagResourceId(stack: Stack, value: string): string {
  return flatten(stack.resolve(value));
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const fn = node as Record<string, unknown>;
    if (Array.isArray(fn['Fn::Join'])) {
      const [delimiter, items] = fn['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if ('Fn::Sub' in fn) return flatten(fn['Fn::Sub']);
    if (Array.isArray(fn['Fn::GetAtt'])) {
      const [resource, attribute] = fn['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Fn::ImportValue' in fn) return flatten(fn['Fn::ImportValue']);
    if ('Ref' in fn) return `<${flatten(fn.Ref)}>`;
  }
  return JSON.stringify(node);
}
