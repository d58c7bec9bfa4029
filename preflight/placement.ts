/**
 * Where the stack lands: its AZs exist and are available (or the region has enough for the
 * unpinned ones), each instance type is offered in every one of them, the AL2023 AMI parameter
 * resolves, and RDS offers the database's class and version (Multi-AZ where configured).
 */
import { Account } from "./account";
import { StackNeeds } from "./needs";
import { Check, CheckResult } from "./result";

/** The AZs the stack uses: the configured ones, or the region's first available ones (as network.ts picks). */
export const availabilityZones = async (
    needs: StackNeeds,
    account: Account,
): Promise<{ zones?: string[]; results: CheckResult[] }> => {
    const all = await account.availabilityZones();
    const usable = all.filter(
        (z) => z.zoneType === "availability-zone" && z.state === "available" && z.optInStatus === "opt-in-not-required",
    );
    const { names, count } = needs.availabilityZones;
    const available = usable.map((z) => z.name);
    const listed = available.join(", ") || "none";
    if (!names) {
        const picked = available.slice(0, count);
        return picked.length < count
            ? {
                  results: [
                      {
                          id: "availability-zones",
                          status: "fail",
                          message: `the stack needs ${count} AZs and ${needs.region} has ${picked.length} available (${listed})`,
                          fix: `pulumi config set --stack ${needs.stack} --path network.azCount ${Math.max(2, picked.length)}`,
                      },
                  ],
              }
            : {
                  zones: picked,
                  results: [
                      {
                          id: "availability-zones",
                          status: "pass",
                          message: `network.availabilityZones is unset, so the stack takes ${picked.join(", ")}; pinning them keeps subnets in place if the region gains an AZ`,
                      },
                  ],
              };
    }
    const bad = names.filter((n) => !available.includes(n));
    if (bad.length === 0) {
        return {
            zones: names,
            results: [
                { id: "availability-zones", status: "pass", message: `${names.join(", ")} exist and are available` },
            ],
        };
    }
    const why = bad.map((n) => {
        const zone = all.find((z) => z.name === n);
        return zone
            ? `${n} is ${zone.zoneType === "availability-zone" ? zone.state : `a ${zone.zoneType}`}${zone.optInStatus === "not-opted-in" ? " (not opted in)" : ""}`
            : `${n} does not exist in ${needs.region}`;
    });
    const replacement = [...names.filter((n) => available.includes(n)), ...available.filter((n) => !names.includes(n))];
    return {
        results: [
            {
                id: "availability-zones",
                status: "fail",
                message: `${why.join("; ")}; available: ${listed}`,
                fix: `pulumi config set --stack ${needs.stack} --path network.availabilityZones '${JSON.stringify(replacement.slice(0, names.length))}'`,
            },
        ],
    };
};

export const instanceTypeOfferings = async (
    needs: StackNeeds,
    account: Account,
    zones: string[],
): Promise<CheckResult[]> => {
    const offered = await account.instanceTypeOfferings(needs.instanceTypes, zones);
    const has = new Set(offered.map((o) => `${o.instanceType}@${o.zone}`));
    const results: CheckResult[] = [];
    for (const i of needs.instances) {
        const missing = zones.filter((z) => !has.has(`${i.instanceType}@${z}`));
        const key = i.role === "web" ? "web.instanceType" : "bastion.instanceType";
        results.push(
            missing.length === 0
                ? {
                      id: "instance-types",
                      status: "pass",
                      message: `${i.instanceType} (${key}) is offered in ${zones.join(", ")}`,
                  }
                : {
                      id: "instance-types",
                      status: "fail",
                      message: `${i.instanceType} (${key}) is not offered in ${missing.join(", ")}, so the group cannot keep a server there`,
                      fix: `aws ec2 describe-instance-type-offerings --location-type availability-zone --filters Name=location,Values=${missing.join(",")} --region ${needs.region} --query 'InstanceTypeOfferings[].InstanceType', then pulumi config set --stack ${needs.stack} --path ${key} <a type offered in every AZ> (or pick other network.availabilityZones)`,
                  },
        );
    }
    return results;
};

export const amiParameters: Check = async (needs, account) =>
    Promise.all(
        needs.amiParameters.map(async (name): Promise<CheckResult> =>
            (await account.parameterExists(name))
                ? { id: "ami", status: "pass", message: `${name} resolves in ${needs.region}` }
                : {
                      id: "ami",
                      status: "fail",
                      message: `${name} does not exist in ${needs.region}, so no server could launch (the launch templates resolve the AMI from it)`,
                      fix: `aws ssm get-parameters-by-path --path /aws/service/ami-amazon-linux-latest --region ${needs.region} --query 'Parameters[].Name'; pick an instance type of an architecture the region publishes, or another region`,
                  },
        ),
    );

export const database: Check = async (needs, account) => {
    const { engine, engineVersion, instanceClass, multiAz } = needs.database;
    const options = await account.orderableDbOptions(engine, instanceClass);
    const matches = options.filter(
        (o) => o.engineVersion === engineVersion || o.engineVersion.startsWith(`${engineVersion}.`),
    );
    const usable = multiAz ? matches.filter((o) => o.multiAzCapable) : matches;
    const what = `PostgreSQL ${engineVersion} on ${instanceClass}${multiAz ? " (Multi-AZ)" : ""}`;
    if (usable.length > 0) {
        return [{ id: "database", status: "pass", message: `${what} can be ordered in ${needs.region}` }];
    }
    const versions = [...new Set(options.map((o) => o.engineVersion.split(".")[0]))].sort().join(", ") || "none";
    return [
        {
            id: "database",
            status: "fail",
            message: `${what} cannot be ordered in ${needs.region} (major versions on ${instanceClass}: ${versions})`,
            fix: `aws rds describe-orderable-db-instance-options --engine postgres --engine-version ${engineVersion} --region ${needs.region} --query 'OrderableDBInstanceOptions[].DBInstanceClass', then pulumi config set --stack ${needs.stack} --path database.instanceClass <a class listed> (or database.engineVersion)`,
        },
    ];
};
