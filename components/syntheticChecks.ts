/**
 * A continuous synthetic check from outside the VPC: Route 53 health checks request `/` and
 * `/healthz` of the site's public URL over HTTPS every 30 s from AWS's health checkers in
 * several regions, and a CloudWatch alarm per check notifies the stack's alarm topic when the
 * checkers find it failing (and again when it recovers).
 *
 * Why Route 53 health checks rather than a CloudWatch Synthetics canary:
 * - they are truly outside: checkers in up to eight regions on the public internet, where a
 *   canary runs from one region (the stack's);
 * - there is nothing to run or keep current: a canary is a Lambda function on a Synthetics
 *   runtime that AWS deprecates every year or so (and then refuses to update), with its own
 *   IAM role, artifact bucket and script; a health check is configuration;
 * - they cost about $2.50 a month per check (HTTPS and string matching), a canary every five
 *   minutes about $10 plus Lambda and storage;
 * - they do not validate certificates, so they work with the self-signed default (the
 *   certificate is `npm run verify`'s job, on every deploy);
 * - `HTTPS_STR_MATCH` is enough to know the app answered: a 2xx/3xx status and a string the
 *   page must contain in its first 5120 bytes. `/` renders only when the database answered,
 *   so its check covers the database; `/healthz` covers the servers on their own.
 * The price of that choice: Route 53 publishes health-check metrics only in us-east-1, and a
 * CloudWatch alarm can notify only a topic in its own region, so the alarms (and with them the
 * stack's alarm topic) must be in us-east-1. The config refuses the checks elsewhere
 * (monitoring.syntheticChecks); this component refuses them too.
 *
 * With CloudFront in front, `url` is the domain, so the checks go through CloudFront and its
 * WAF like any visitor (the checkers send a User-Agent and stay far below the rate limit).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HEALTH_CHECK_METRICS_REGION } from "../lib/awsFacts";
import { childName } from "../lib/naming";

export interface SyntheticCheck {
    /** Short name in the alarm's and health check's names, e.g. "home". */
    key: string;
    /** Path requested, e.g. "/". */
    path: string;
    /** Text the answer must contain in its first 5120 bytes (at most 255 characters). */
    searchString: string;
    /** What the alarm watches, for its description and the dashboard. */
    title: string;
}

/**
 * The site's checks. "<dt>Availability zone</dt>" is in the home page only when the app
 * rendered it from the database (an error page never has it); /healthz answers "ok".
 */
export const SITE_CHECKS: readonly SyntheticCheck[] = [
    { key: "home", path: "/", searchString: "<dt>Availability zone</dt>", title: "Home page from outside (Route 53)" },
    { key: "healthz", path: "/healthz", searchString: "ok", title: "/healthz from outside (Route 53)" },
];

export interface SyntheticChecksArgs {
    /** Start of every name, e.g. "webfleet-prod" (alarmPrefixFor). */
    prefix: string;
    /** The site's public HTTPS URL (the stack's `url` output: web.domain or the ALB's DNS name). */
    url: pulumi.Input<string>;
    /** The stack's region, where its alarm topic is; must be us-east-1 (see above). */
    region: string;
    /** Notified on ALARM and on OK (components/alarmTopic.ts's `actions`); in the stack's region. */
    alarmActions: pulumi.Input<string>[];
    /** Default SITE_CHECKS. */
    checks?: readonly SyntheticCheck[];
}

/** Where the checkers connect: the URL's host and port (443 unless the URL says otherwise). */
export function endpointOf(url: string): { fqdn: string; port: number } {
    const u = new URL(url);
    if (u.protocol !== "https:") {
        throw new Error(`synthetic checks: ${url} is not an https:// URL`);
    }
    return { fqdn: u.hostname, port: Number(u.port || 443) };
}

export class SyntheticChecks extends pulumi.ComponentResource {
    public readonly healthCheckIds: pulumi.Output<string[]>;
    /** The alarms, with titles, for the stack's dashboard. */
    public readonly alarms: { arn: pulumi.Output<string>; title: string }[];

    constructor(name: string, args: SyntheticChecksArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:ops:SyntheticChecks", name, {}, opts);
        const checks = args.checks ?? SITE_CHECKS;
        if (args.region !== HEALTH_CHECK_METRICS_REGION) {
            throw new pulumi.ResourceError(
                `synthetic checks: the stack is in ${args.region}, but Route 53 publishes health-check metrics only in ${HEALTH_CHECK_METRICS_REGION} and an alarm can notify only a topic in its own region; deploy in ${HEALTH_CHECK_METRICS_REGION} or set monitoring.syntheticChecks false`,
                this,
            );
        }
        for (const c of checks) {
            if (!/^[a-z0-9-]{1,32}$/.test(c.key) || !c.path.startsWith("/") || c.path.length > 255) {
                throw new pulumi.ResourceError(
                    `synthetic checks: "${c.key}" needs a key of lower-case letters, digits and - and a path starting with / (at most 255 characters)`,
                    this,
                );
            }
            if (!c.searchString || c.searchString.length > 255) {
                throw new pulumi.ResourceError(
                    `synthetic checks: "${c.key}" needs a search string of 1 to 255 characters (Route 53's limit)`,
                    this,
                );
            }
        }
        if (new Set(checks.map((c) => c.key)).size !== checks.length) {
            throw new pulumi.ResourceError("synthetic checks: two checks share a key", this);
        }

        const endpoint = pulumi.output(args.url).apply(endpointOf);
        const healthChecks: aws.route53.HealthCheck[] = [];
        this.alarms = checks.map((c) => {
            const check = new aws.route53.HealthCheck(
                childName(name, c.key),
                {
                    type: "HTTPS_STR_MATCH",
                    fqdn: endpoint.fqdn,
                    port: endpoint.port,
                    resourcePath: c.path,
                    searchString: c.searchString,
                    // Route 53 sends SNI by default only for type HTTPS; CloudFront (and any
                    // host with more than one certificate) needs it.
                    enableSni: true,
                    requestInterval: 30,
                    failureThreshold: 3,
                    measureLatency: false,
                    tags: { Name: `${args.prefix}-${c.key}` },
                },
                { parent: this },
            );
            healthChecks.push(check);
            const alarm = new aws.cloudwatch.MetricAlarm(
                childName(name, `${c.key}-alarm`),
                {
                    name: `${args.prefix}-synthetic-${c.key}`,
                    alarmDescription: pulumi.interpolate`GET https://${endpoint.fqdn}${c.path} failed from outside (Route 53 health checkers: a status other than 2xx/3xx, or no "${c.searchString}" in the page) in 2 of 3 minutes`,
                    namespace: "AWS/Route53",
                    metricName: "HealthCheckStatus",
                    dimensions: { HealthCheckId: check.id },
                    statistic: "Minimum",
                    period: 60,
                    evaluationPeriods: 3,
                    datapointsToAlarm: 2,
                    comparisonOperator: "LessThanThreshold",
                    threshold: 1,
                    // A check that stops reporting is no better than one that fails.
                    treatMissingData: "breaching",
                    alarmActions: args.alarmActions,
                    okActions: args.alarmActions,
                    actionsEnabled: true,
                },
                { parent: this },
            );
            return { arn: alarm.arn, title: c.title };
        });
        this.healthCheckIds = pulumi.all(healthChecks.map((h) => h.id));
        this.registerOutputs({ healthCheckIds: this.healthCheckIds, alarmArns: this.alarms.map((a) => a.arn) });
    }
}
