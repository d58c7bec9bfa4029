/**
 * What the preflight reads from the account, behind one small interface, so the checks are
 * plain code over plain data and the tests stub the SDK clients (aws-sdk-client-mock) under
 * this very adapter. Every call is read-only; docs/ci-iam.md lists the IAM actions they need.
 */
import {
    DescribeAddressesCommand,
    DescribeAvailabilityZonesCommand,
    EC2Client,
    paginateDescribeInstanceTypeOfferings,
    paginateDescribeInstanceTypes,
    paginateDescribeInstances,
    paginateDescribeVpcs,
} from "@aws-sdk/client-ec2";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { DescribeOrderableDBInstanceOptionsCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import {
    GetAWSDefaultServiceQuotaCommand,
    GetServiceQuotaCommand,
    ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

export type Tags = Record<string, string>;

/** Static credentials, for tests; the default chain otherwise. */
export interface Credentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}

export interface AvailabilityZone {
    name: string;
    state: string;
    /** availability-zone, local-zone or wavelength-zone. */
    zoneType: string;
    optInStatus: string;
}

export interface HostedZone {
    /** Without the trailing dot. */
    name: string;
    privateZone: boolean;
}

export interface OrderableDbOption {
    engineVersion: string;
    multiAzCapable: boolean;
}

/** The account, as the checks see it. A method throws the SDK's error (e.g. access denied) as is. */
export interface Account {
    identity(): Promise<{ account: string; arn: string }>;
    /** The applied value of a quota (its AWS default when never changed). */
    quota(serviceCode: string, quotaCode: string): Promise<number>;
    /** The region's Elastic IPs, allocated to anything. */
    addresses(): Promise<{ allocationId: string; tags: Tags }[]>;
    vpcs(): Promise<{ vpcId: string; isDefault: boolean; tags: Tags }[]>;
    /** False when the role does not exist. */
    roleExists(name: string): Promise<boolean>;
    /** Pending and running On-Demand instances (not Spot). */
    onDemandInstances(): Promise<{ instanceType: string; tags: Tags }[]>;
    /** DefaultVCpus per instance type; a type EC2 does not know is left out. */
    vcpus(instanceTypes: string[]): Promise<Record<string, number>>;
    /** Every zone of the region, opted in or not. */
    availabilityZones(): Promise<AvailabilityZone[]>;
    /** Which of these types are offered in which of these AZs. */
    instanceTypeOfferings(instanceTypes: string[], zones: string[]): Promise<{ instanceType: string; zone: string }[]>;
    /** False when the SSM parameter does not exist in the region. */
    parameterExists(name: string): Promise<boolean>;
    /** Undefined when the hosted zone does not exist. */
    hostedZone(id: string): Promise<HostedZone | undefined>;
    orderableDbOptions(engine: string, instanceClass: string): Promise<OrderableDbOption[]>;
}

/**
 * The SDK versions are pinned exactly (package.json), so the SDK's notice about which Node.js
 * versions its future releases need says nothing about this run; it would open every CI log.
 */
export function quietNodeVersionNotice(): void {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/** The credentials the SDK's default chain resolves (throws the chain's error when it finds none). */
export async function defaultChainCredentials(region: string): Promise<Credentials> {
    quietNodeVersionNotice();
    const client = new STSClient({ region });
    try {
        return await client.config.credentials();
    } finally {
        client.destroy();
    }
}

function tagsOf(tags: { Key?: string; Value?: string }[] | undefined): Tags {
    return Object.fromEntries((tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ""]));
}

/** EC2 takes at most 100 instance types and 200 filter values a call. */
function chunks<T>(items: T[], size: number): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) {
        out.push(items.slice(i, i + size));
    }
    return out;
}

/**
 * The account through the AWS SDK v3, in one region. Without `credentials` the clients use the
 * SDK's default chain (environment, profile, SSO, instance role), as the AWS CLI does.
 */
export function awsAccount(region: string, credentials?: Credentials): Account {
    quietNodeVersionNotice();
    const config = { region, credentials, maxAttempts: 5 };
    const ec2 = new EC2Client(config);
    const quotas = new ServiceQuotasClient(config);
    // IAM and Route 53 are global; their SDK clients pick the global endpoint from any region.
    const iam = new IAMClient(config);
    const route53 = new Route53Client(config);
    const ssm = new SSMClient(config);
    const rds = new RDSClient(config);
    const sts = new STSClient(config);

    return {
        async identity() {
            const out = await sts.send(new GetCallerIdentityCommand({}));
            return { account: out.Account ?? "", arn: out.Arn ?? "" };
        },
        async quota(serviceCode, quotaCode) {
            try {
                const out = await quotas.send(
                    new GetServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode }),
                );
                if (out.Quota?.Value !== undefined) {
                    return out.Quota.Value;
                }
            } catch (e) {
                if ((e as Error).name !== "NoSuchResourceException") {
                    throw e;
                }
            }
            // A quota nobody ever changed may have no applied value: its AWS default is it.
            const out = await quotas.send(
                new GetAWSDefaultServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode }),
            );
            if (out.Quota?.Value === undefined) {
                throw new Error(`Service Quotas returned no value for ${serviceCode} ${quotaCode}`);
            }
            return out.Quota.Value;
        },
        async addresses() {
            const out = await ec2.send(new DescribeAddressesCommand({}));
            return (out.Addresses ?? []).map((a) => ({
                allocationId: a.AllocationId ?? a.PublicIp ?? "",
                tags: tagsOf(a.Tags),
            }));
        },
        async vpcs() {
            const out: { vpcId: string; isDefault: boolean; tags: Tags }[] = [];
            for await (const page of paginateDescribeVpcs({ client: ec2 }, {})) {
                for (const v of page.Vpcs ?? []) {
                    out.push({ vpcId: v.VpcId ?? "", isDefault: v.IsDefault ?? false, tags: tagsOf(v.Tags) });
                }
            }
            return out;
        },
        async roleExists(name) {
            try {
                await iam.send(new GetRoleCommand({ RoleName: name }));
                return true;
            } catch (e) {
                if ((e as Error).name === "NoSuchEntityException" || (e as Error).name === "NoSuchEntity") {
                    return false;
                }
                throw e;
            }
        },
        async onDemandInstances() {
            const out: { instanceType: string; tags: Tags }[] = [];
            const filters = [{ Name: "instance-state-name", Values: ["pending", "running"] }];
            for await (const page of paginateDescribeInstances({ client: ec2 }, { Filters: filters })) {
                for (const reservation of page.Reservations ?? []) {
                    for (const i of reservation.Instances ?? []) {
                        // Spot and Capacity Block instances count against other quotas.
                        if (i.InstanceLifecycle === undefined) {
                            out.push({ instanceType: i.InstanceType ?? "", tags: tagsOf(i.Tags) });
                        }
                    }
                }
            }
            return out;
        },
        async vcpus(instanceTypes) {
            const out: Record<string, number> = {};
            for (const chunk of chunks([...new Set(instanceTypes)], 100)) {
                // Asking for a type EC2 does not know fails the whole call, so ask with a filter.
                const filters = [{ Name: "instance-type", Values: chunk }];
                for await (const page of paginateDescribeInstanceTypes({ client: ec2 }, { Filters: filters })) {
                    for (const t of page.InstanceTypes ?? []) {
                        if (t.InstanceType && t.VCpuInfo?.DefaultVCpus !== undefined) {
                            out[t.InstanceType] = t.VCpuInfo.DefaultVCpus;
                        }
                    }
                }
            }
            return out;
        },
        async availabilityZones() {
            const out = await ec2.send(new DescribeAvailabilityZonesCommand({ AllAvailabilityZones: true }));
            return (out.AvailabilityZones ?? []).map((z) => ({
                name: z.ZoneName ?? "",
                state: z.State ?? "",
                zoneType: z.ZoneType ?? "",
                optInStatus: z.OptInStatus ?? "",
            }));
        },
        async instanceTypeOfferings(instanceTypes, zones) {
            const out: { instanceType: string; zone: string }[] = [];
            const filters = [
                { Name: "instance-type", Values: instanceTypes },
                { Name: "location", Values: zones },
            ];
            for await (const page of paginateDescribeInstanceTypeOfferings(
                { client: ec2 },
                { LocationType: "availability-zone", Filters: filters },
            )) {
                for (const o of page.InstanceTypeOfferings ?? []) {
                    out.push({ instanceType: o.InstanceType ?? "", zone: o.Location ?? "" });
                }
            }
            return out;
        },
        async parameterExists(name) {
            try {
                await ssm.send(new GetParameterCommand({ Name: name }));
                return true;
            } catch (e) {
                if ((e as Error).name === "ParameterNotFound") {
                    return false;
                }
                throw e;
            }
        },
        async hostedZone(id) {
            try {
                const out = await route53.send(new GetHostedZoneCommand({ Id: id }));
                return {
                    name: (out.HostedZone?.Name ?? "").replace(/\.$/, ""),
                    privateZone: out.HostedZone?.Config?.PrivateZone ?? false,
                };
            } catch (e) {
                if ((e as Error).name === "NoSuchHostedZone") {
                    return undefined;
                }
                throw e;
            }
        },
        async orderableDbOptions(engine, instanceClass) {
            const out: OrderableDbOption[] = [];
            let marker: string | undefined;
            do {
                const page = await rds.send(
                    new DescribeOrderableDBInstanceOptionsCommand({
                        Engine: engine,
                        DBInstanceClass: instanceClass,
                        Vpc: true,
                        Marker: marker,
                    }),
                );
                for (const o of page.OrderableDBInstanceOptions ?? []) {
                    out.push({ engineVersion: o.EngineVersion ?? "", multiAzCapable: o.MultiAZCapable ?? false });
                }
                marker = page.Marker;
            } while (marker);
            return out;
        },
    };
}
