/**
 * The AWS SDK prints a 9-line warning in every process on Node 20: SDK versions published after
 * January 2027 will need Node 22. The versions pinned in package.json support Node 20
 * (README "Prerequisites"), so the sandbox, the CLI, the benchmarks and the tests do not repeat it. The
 * deployed Lambdas run Node 24 and never see it.
 */
export const NODE_SUPPORT_WARNING_OFF = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } as const;

export function quietNodeSupportWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??=
    NODE_SUPPORT_WARNING_OFF.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
}
