/**
 * The internet-facing Application Load Balancer: its security group, an HTTP listener that only
 * redirects to HTTPS, an HTTPS listener with a TLS 1.3 policy and the stack's certificate, the
 * target group the web servers register in (HTTPS too: the servers' own certificates encrypt the
 * hop inside the VPC), and (with a domain) the alias record.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Certificate, CertificateMode } from "./certificate";
import { childName } from "../lib/naming";
import { roleTags } from "../lib/tags";

export const HTTP_PORT = 80;
export const HTTPS_PORT = 443;
export const HEALTH_CHECK_PATH = "/healthz";
/** Access logs land under s3://<bucket>/alb/AWSLogs/<account>/elasticloadbalancing/<region>/… */
export const ACCESS_LOGS_PREFIX = "alb";

/**
 * Health check timing. /healthz answers 200 without touching the database, so it fails only
 * when the process is stuck or gone:
 * - every 10 s with a 5 s timeout: a dead server is out of rotation within 30 s;
 * - 2 successes to enter: a new server takes traffic ~20 s after it first answers;
 * - 3 failures to leave: one slow answer (a GC pause) does not flap a healthy server;
 * - exactly 200: a redirect or a 404 (wrong port or path) is a failure, not a pass.
 */
export const HEALTH_CHECK = {
    interval: 10,
    timeout: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    matcher: "200",
} as const;

/**
 * Seconds the ALB keeps sending in-flight requests to a deregistering server. Shorter than the
 * app's 20 s SIGTERM drain, so whatever is still running when the ASG terminates the instance
 * is finished by the app itself, never cut off.
 */
export const DEREGISTRATION_DELAY_SECONDS = 15;

/** The app's HTTP keep-alive timeout (app/http/server.ts): the ALB's idle timeout must stay below it. */
export const APP_KEEP_ALIVE_SECONDS = 65;

/** What CloudWatch names an ALB and its target group by (the LoadBalancer and TargetGroup dimensions). */
export interface LoadBalancerDimensions {
    arnSuffix: pulumi.Output<string>;
    targetGroupArnSuffix: pulumi.Output<string>;
}

/** Where an alias record points (a CloudFront distribution's domain name and hosted zone). */
export interface AliasTarget {
    name: pulumi.Input<string>;
    zoneId: pulumi.Input<string>;
}

/**
 * The ALB as a CloudFront origin (components/cdn.ts): it answers only requests that carry the
 * origin header CloudFront adds, 403 to anything else, and accepts HTTPS only from CloudFront's
 * origin-facing addresses. `distribute` is called once the ALB and its certificate exist and
 * returns where web.domain's alias record points instead of the ALB.
 */
export interface EdgeSeam {
    headerName: string;
    headerValue: pulumi.Input<string>;
    /** The managed prefix list com.amazonaws.global.cloudfront.origin-facing. */
    prefixListId: pulumi.Input<string>;
    distribute: (alb: { dnsName: pulumi.Output<string>; certificateArn: pulumi.Output<string> }) => AliasTarget;
}

export interface LoadBalancerArgs {
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string[]>;
    /** The port the servers serve HTTPS on; the only port the ALB may reach them on. */
    appPort: number;
    tlsPolicy: string;
    idleTimeoutSeconds: number;
    deletionProtection: boolean;
    domain?: string;
    hostedZoneId?: string;
    /** The web servers' security group: the only place the ALB may send traffic. */
    targetSecurityGroupId: pulumi.Input<string>;
    /** S3 bucket for access logs (components/accessLogs.ts); undefined leaves them off. */
    accessLogsBucket?: pulumi.Input<string>;
    /** Behind CloudFront (needs the domain's certificate); undefined: the ALB faces the internet. */
    edge?: EdgeSeam;
    /**
     * Protect the load balancer (prod): `pulumi destroy` stops before it takes anything down, and
     * a change that would replace it (its DNS name with it) fails instead. Default false.
     */
    protect?: boolean;
}

export class LoadBalancer extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly arnSuffix: pulumi.Output<string>;
    public readonly dnsName: pulumi.Output<string>;
    public readonly zoneId: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    public readonly httpsListenerArn: pulumi.Output<string>;
    public readonly certificateArn: pulumi.Output<string>;
    public readonly certificateMode: CertificateMode;
    /** https://<domain> with a domain, https://<ALB DNS name> otherwise. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:web:LoadBalancer", name, {}, opts);
        if (args.edge && !(args.domain && args.hostedZoneId)) {
            throw new pulumi.ResourceError(
                "cdn.enabled: CloudFront refuses the ALB's self-signed certificate; set web.domain and web.hostedZoneId for a DNS-validated one",
                this,
            );
        }
        if (args.idleTimeoutSeconds >= APP_KEEP_ALIVE_SECONDS) {
            throw new pulumi.ResourceError(
                `web.idleTimeoutSeconds: ${args.idleTimeoutSeconds} is not below the app's keep-alive timeout (${APP_KEEP_ALIVE_SECONDS} s), so the ALB would reuse connections the app has closed and answer 502; set it to 60 or less`,
                this,
            );
        }

        const sg = new aws.ec2.SecurityGroup(
            childName(name, "sg"),
            {
                vpcId: args.vpcId,
                description: "webfleet load balancer: HTTP and HTTPS from the internet, out to the web servers only",
                tags: roleTags("alb", childName(name, "sg")),
            },
            { parent: this },
        );
        if (args.edge) {
            // Behind CloudFront: HTTPS from its origin-facing addresses only, and no port 80
            // (CloudFront itself redirects viewers to HTTPS).
            new aws.vpc.SecurityGroupIngressRule(
                childName(name, "https-in"),
                {
                    securityGroupId: sg.id,
                    description: "HTTPS from the CloudFront origin-facing addresses only",
                    ipProtocol: "tcp",
                    fromPort: HTTPS_PORT,
                    toPort: HTTPS_PORT,
                    prefixListId: args.edge.prefixListId,
                },
                { parent: this },
            );
        } else {
            // One rule per port: HTTP only ever answers with a redirect, HTTPS is the service.
            for (const [port, what] of [
                [HTTP_PORT, "HTTP from the internet (redirected to HTTPS)"],
                [HTTPS_PORT, "HTTPS from the internet"],
            ] as const) {
                new aws.vpc.SecurityGroupIngressRule(
                    childName(name, `${port === HTTP_PORT ? "http" : "https"}-in`),
                    {
                        securityGroupId: sg.id,
                        description: what,
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        cidrIpv4: "0.0.0.0/0",
                    },
                    { parent: this },
                );
            }
        }
        new aws.vpc.SecurityGroupEgressRule(
            childName(name, "app-out"),
            {
                securityGroupId: sg.id,
                description: "HTTPS requests and health checks to the web servers on the app TLS port",
                ipProtocol: "tcp",
                fromPort: args.appPort,
                toPort: args.appPort,
                referencedSecurityGroupId: args.targetSecurityGroupId,
            },
            { parent: this },
        );

        const alb = new aws.lb.LoadBalancer(
            childName(name, "alb"),
            {
                loadBalancerType: "application",
                internal: false,
                ipAddressType: "ipv4",
                subnets: args.publicSubnetIds,
                securityGroups: [sg.id],
                // Malformed headers are dropped and ambiguous requests refused, so no request
                // smuggling reaches the app.
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "strictest",
                enableHttp2: true,
                idleTimeout: args.idleTimeoutSeconds,
                enableDeletionProtection: args.deletionProtection,
                // Lets an operator (or ARC zonal autoshift) move traffic off an impaired AZ.
                enableZonalShift: true,
                accessLogs: args.accessLogsBucket
                    ? { bucket: args.accessLogsBucket, enabled: true, prefix: ACCESS_LOGS_PREFIX }
                    : undefined,
                tags: roleTags("alb", childName(name, "alb")),
            },
            { parent: this, protect: args.protect },
        );

        // HTTPS to the servers too, each with a self-signed certificate (the ALB verifies none). A
        // new protocol or port replaces the group: with no fixed name (Pulumi adds a suffix) the
        // new one is created first, the listener and the ASG move to it, the old one goes last.
        const targetGroup = new aws.lb.TargetGroup(
            childName(name, "tg"),
            {
                vpcId: args.vpcId,
                targetType: "instance",
                protocol: "HTTPS",
                protocolVersion: "HTTP1",
                port: args.appPort,
                deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
                healthCheck: {
                    enabled: true,
                    protocol: "HTTPS",
                    port: "traffic-port",
                    path: HEALTH_CHECK_PATH,
                    ...HEALTH_CHECK,
                },
                // Any server can answer any request (state lives in the database), so requests
                // spread evenly and a drained server holds no sessions.
                stickiness: { type: "lb_cookie", enabled: false },
                tags: roleTags("alb", childName(name, "tg")),
            },
            { parent: this },
        );

        const certificate = new Certificate(
            childName(name, "cert"),
            { domain: args.domain, hostedZoneId: args.hostedZoneId, albDnsName: alb.dnsName },
            { parent: this },
        );

        // HTTP's single action: a permanent redirect to HTTPS keeping host, path and query.
        new aws.lb.Listener(
            childName(name, "http"),
            {
                loadBalancerArn: alb.arn,
                port: HTTP_PORT,
                protocol: "HTTP",
                defaultActions: [
                    {
                        type: "redirect",
                        redirect: {
                            protocol: "HTTPS",
                            port: String(HTTPS_PORT),
                            host: "#{host}",
                            path: "/#{path}",
                            query: "#{query}",
                            statusCode: "HTTP_301",
                        },
                    },
                ],
                tags: roleTags("alb", childName(name, "http")),
            },
            { parent: this },
        );
        const https = new aws.lb.Listener(
            childName(name, "https"),
            {
                loadBalancerArn: alb.arn,
                port: HTTPS_PORT,
                protocol: "HTTPS",
                sslPolicy: args.tlsPolicy,
                certificateArn: certificate.certificateArn,
                // Behind CloudFront, only the rule below forwards; anything else is refused.
                defaultActions: args.edge
                    ? [
                          {
                              type: "fixed-response",
                              fixedResponse: { statusCode: "403", contentType: "text/plain", messageBody: "Forbidden" },
                          },
                      ]
                    : [{ type: "forward", targetGroupArn: targetGroup.arn }],
                tags: roleTags("alb", childName(name, "https")),
            },
            { parent: this },
        );
        if (args.edge) {
            new aws.lb.ListenerRule(
                childName(name, "from-cloudfront"),
                {
                    listenerArn: https.arn,
                    priority: 1,
                    conditions: [
                        { httpHeader: { httpHeaderName: args.edge.headerName, values: [args.edge.headerValue] } },
                    ],
                    actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
                    tags: roleTags("alb", childName(name, "from-cloudfront")),
                },
                { parent: this },
            );
        }

        if (certificate.mode === "dns-validated") {
            // The same record either way, so turning CloudFront on or off only moves its target.
            const target: AliasTarget = args.edge
                ? args.edge.distribute({ dnsName: alb.dnsName, certificateArn: certificate.certificateArn })
                : { name: alb.dnsName, zoneId: alb.zoneId };
            new aws.route53.Record(
                childName(name, "alias"),
                {
                    zoneId: args.hostedZoneId!,
                    name: args.domain!,
                    type: "A",
                    // CloudFront alias targets must not evaluate target health.
                    aliases: [{ name: target.name, zoneId: target.zoneId, evaluateTargetHealth: !args.edge }],
                    // web.domain names this stack as the domain's home, so its record is taken
                    // over: a domain moved here from an old server already has an A record, and
                    // without this the first `pulumi up` fails with "already exists".
                    allowOverwrite: true,
                },
                { parent: this },
            );
        }

        this.securityGroupId = sg.id;
        this.arn = alb.arn;
        this.arnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.zoneId = alb.zoneId;
        this.targetGroupArn = targetGroup.arn;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.httpsListenerArn = https.arn;
        this.certificateArn = certificate.certificateArn;
        this.certificateMode = certificate.mode;
        this.url =
            args.domain && args.hostedZoneId
                ? pulumi.output(`https://${args.domain}`)
                : pulumi.interpolate`https://${alb.dnsName}`;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            arn: this.arn,
            arnSuffix: this.arnSuffix,
            dnsName: this.dnsName,
            zoneId: this.zoneId,
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            httpsListenerArn: this.httpsListenerArn,
            certificateArn: this.certificateArn,
            certificateMode: this.certificateMode,
            url: this.url,
        });
    }
}
