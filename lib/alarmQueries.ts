/**
 * The metric math of the rate alarms (components/monitoring.ts), pure so the tests read exactly
 * what is deployed. A rate says something only over enough requests: at a few requests a
 * minute one failed request is 20 % or 50 %, and the 5xx-rate alarm that stops an instance
 * refresh would fail a healthy rollout on the single 502 of a server being drained. So every
 * rate counts as 0 in a minute with fewer requests than `minimumRequestsFor(threshold)`.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

type Query = aws.types.input.cloudwatch.MetricAlarmMetricQuery;

/** Below this many requests a minute a percentage is noise, whatever the threshold. */
export const MIN_REQUESTS_FOR_A_RATE = 10;

/**
 * The fewest requests in a minute for a rate alarm to count the minute: enough that one failed
 * request alone stays at or under the threshold (100 / threshold), and at least
 * MIN_REQUESTS_FOR_A_RATE. A 1 % threshold needs 100 requests a minute, 5 % needs 20.
 */
export function minimumRequestsFor(thresholdPercent: number): number {
    if (!(thresholdPercent > 0 && thresholdPercent <= 100)) {
        throw new Error(`minimumRequestsFor: ${thresholdPercent} is not a percentage above 0, at most 100`);
    }
    return Math.max(MIN_REQUESTS_FOR_A_RATE, Math.ceil(100 / thresholdPercent));
}

const ALB = "AWS/ApplicationELB";
const CLOUDFRONT = "AWS/CloudFront";

function metric(
    id: string,
    namespace: string,
    metricName: string,
    stat: string,
    dimensions: Record<string, pulumi.Input<string>>,
): Query {
    return { id, returnData: false, metric: { namespace, metricName, stat, period: 60, dimensions } };
}

/**
 * The ALB 5xx rate in percent: every 5xx a client got (from the ALB itself or from a target)
 * over every request the ALB answered. RequestCount leaves out requests the ALB refused before
 * choosing a target (503 with no healthy target), so those 5xx are added to the volume; the
 * rate then stays within 0–100 % (an ALB 502 or 504 after a target was chosen is counted in
 * both, which only lowers the rate a little). Minutes under `minimumRequestsFor` count as 0.
 */
export function errorRateQueries(lb: { arnSuffix: pulumi.Input<string> }, thresholdPercent: number): Query[] {
    const dimensions = { LoadBalancer: lb.arnSuffix };
    const minimum = minimumRequestsFor(thresholdPercent);
    return [
        metric("m_requests", ALB, "RequestCount", "Sum", dimensions),
        metric("m_elb5xx", ALB, "HTTPCode_ELB_5XX_Count", "Sum", dimensions),
        metric("m_target5xx", ALB, "HTTPCode_Target_5XX_Count", "Sum", dimensions),
        {
            id: "volume",
            expression: "FILL(m_requests, 0) + FILL(m_elb5xx, 0)",
            label: "Requests answered",
            returnData: false,
        },
        {
            id: "errors",
            expression: "FILL(m_elb5xx, 0) + FILL(m_target5xx, 0)",
            label: "5xx answers",
            returnData: false,
        },
        {
            id: "rate",
            expression: `IF(volume >= ${minimum}, 100 * errors / volume, 0)`,
            label: `5xx rate (%), minutes with ${minimum}+ requests`,
            returnData: true,
        },
    ];
}

/** What CloudFront names a distribution's metrics by: they exist only in us-east-1, as Region=Global. */
export function cloudFrontDimensions(distributionId: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
    return { DistributionId: distributionId, Region: "Global" };
}

/**
 * One of CloudFront's own error rates (5xxErrorRate or 4xxErrorRate: the percentage of viewer
 * requests answered so, whatever answered them), counted only in minutes with enough requests.
 * They see what the ALB's metrics cannot: an origin CloudFront cannot reach, and an ALB that
 * answers 403 to CloudFront itself, publish no ALB 5xx at all.
 */
export function cloudFrontRateQueries(
    distributionId: pulumi.Input<string>,
    metricName: "5xxErrorRate" | "4xxErrorRate",
    thresholdPercent: number,
): Query[] {
    const dimensions = cloudFrontDimensions(distributionId);
    const minimum = minimumRequestsFor(thresholdPercent);
    return [
        metric("m_requests", CLOUDFRONT, "Requests", "Sum", dimensions),
        metric("m_rate", CLOUDFRONT, metricName, "Average", dimensions),
        {
            id: "rate",
            expression: `IF(FILL(m_requests, 0) >= ${minimum}, FILL(m_rate, 0), 0)`,
            label: `${metricName} (%), minutes with ${minimum}+ requests`,
            returnData: true,
        },
    ];
}
