/**
 * Who writes ALB access logs into a bucket, per region, and the bucket-policy statement that
 * lets exactly that writer put objects under exactly this stack's log prefix. Pure, so it is
 * tested without mocks.
 *
 * AWS documents two ways, by the age of the region
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html):
 * - regions available before August 2022: Elastic Load Balancing writes as an AWS account of its
 *   own per region, so the policy names `arn:aws:iam::<elb-account-id>:root`;
 * - regions available since: the service principal `logdelivery.elasticloadbalancing.amazonaws.com`.
 * A region missing from the table below is taken to be a newer one. The table is the one AWS
 * publishes (also in the AWS CDK's region facts, ELBV2_ACCOUNTS).
 */
import { Statement } from "./iam";

export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** Elastic Load Balancing's log-writing account in each region available before August 2022. */
export const ELB_ACCOUNT_IDS: Readonly<Record<string, string>> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-south-1": "718504428378",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-south-1": "635631232127",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
};

/** The principal that writes a region's ALB access logs. */
export function elbLogDeliveryPrincipal(region: string): Record<string, string> {
    const account = ELB_ACCOUNT_IDS[region];
    return account ? { AWS: `arn:aws:iam::${account}:root` } : { Service: ELB_LOG_DELIVERY_SERVICE };
}

export interface ElbLogDeliveryArgs {
    region: string;
    /** The log bucket's ARN (arn:aws:s3:::<name>). */
    bucketArn: string;
    /** The load balancer's `accessLogs.prefix` (no leading or trailing slash). */
    prefix: string;
    /** The account that owns the load balancer: ELB writes under AWSLogs/<that account>/. */
    accountId: string;
}

/**
 * Bucket-policy statement: ELB may put log objects for this account's load balancers under the
 * prefix, and nothing else (no read, no list, no other prefix).
 */
export function elbLogDeliveryStatement(args: ElbLogDeliveryArgs): Statement {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(args.region)) {
        throw new Error(`ALB access logs: "${args.region}" is not an AWS region like us-east-1`);
    }
    if (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/.test(args.prefix) || args.prefix.includes("AWSLogs")) {
        throw new Error(
            `ALB access logs: prefix "${args.prefix}" must be a plain S3 prefix without leading or trailing slash and without "AWSLogs" (ELB adds that itself)`,
        );
    }
    return {
        Sid: "ElbWritesAccessLogs",
        Effect: "Allow",
        Principal: elbLogDeliveryPrincipal(args.region),
        Action: "s3:PutObject",
        Resource: `${args.bucketArn}/${args.prefix}/AWSLogs/${args.accountId}/*`,
    };
}
