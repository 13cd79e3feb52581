import type { Duration } from 'aws-cdk-lib';
import { Metric, SearchExpression, Stats, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import {
  lineDimension,
  METRIC_DIMENSION_SETS,
  METRIC_DIMENSIONS,
  METRIC_NAMESPACE,
  type MetricName,
} from '../../lambdas/platform/metrics.js';
import { DEFAULTS } from '../defaults.js';

/**
 * The stack's own metrics (EMF lines the Lambdas write, lambdas/platform/metrics.ts) as CloudWatch
 * `Metric`s for alarms and widgets. Names and dimensions come from metrics.ts, and a metric the
 * code does not publish under the asked dimensions is refused at synth, so an alarm can never
 * watch a metric that never gets data.
 */
function emfMetric(name: MetricName, dimensions: Record<string, string>, options: MetricOptions): Metric {
  const asked = Object.keys(dimensions).sort().join(',');
  if (!METRIC_DIMENSION_SETS[name].some((set) => [...set].sort().join(',') === asked)) {
    throw new Error(
      `${name} is not published with the dimensions [${asked}] (see METRIC_DIMENSION_SETS in lambdas/platform/metrics.ts)`,
    );
  }
  return new Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: dimensions,
    statistic: Stats.SUM,
    period: DEFAULTS.operations.period,
    ...options,
  });
}

/** A stack total, written by the Lambda named `functionName` (dimension `FunctionName`). */
export const stackTotal = (name: MetricName, functionName: string, options: MetricOptions = {}): Metric =>
  emfMetric(name, { [METRIC_DIMENSIONS.functionName]: functionName }, options);

/** One line's count (dimension `Line`, the line masked as in the logs). */
export const perLine = (name: MetricName, line: string, options: MetricOptions = {}): Metric =>
  emfMetric(name, { [METRIC_DIMENSIONS.line]: lineDimension(line) }, options);

/**
 * Every line's count of a metric, for graphs (a search expression: lines that are not in the
 * configuration, such as a command's own `from_number`, show up too). Searches cannot alarm.
 */
export function everyLine(
  name: MetricName,
  period: Duration = DEFAULTS.operations.period,
  statistic: string = Stats.SUM,
): SearchExpression {
  if (!METRIC_DIMENSION_SETS[name].some((set) => set.length === 1 && set[0] === METRIC_DIMENSIONS.line)) {
    throw new Error(`${name} is not published per line (see METRIC_DIMENSION_SETS in lambdas/platform/metrics.ts)`);
  }
  return new SearchExpression({
    expression: `SEARCH('{${METRIC_NAMESPACE},${METRIC_DIMENSIONS.line}} MetricName="${name}"', '${statistic}', ${period.toSeconds()})`,
    label: `${name} \${PROP('Dim.${METRIC_DIMENSIONS.line}')}`,
    period,
  });
}
