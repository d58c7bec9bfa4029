/**
 * The account's capacity for the stack: Elastic IPs (one per NAT gateway and the bastion's),
 * the VPC, and On-Demand Standard vCPUs for the fleet at web.maxSize. What this stack already
 * holds (tagged webfleet:project and webfleet:stack) is not counted against it.
 */
import { Tags } from "./account";
import { QUOTAS, vcpuNeed } from "./needs";
import { Check, CheckResult, isAccessDenied, ownedBy, quotaOrDefault, quotaRequest } from "./result";
import { estimatedVcpus, isStandardFamily } from "../lib/instanceTypes";

export const elasticIps: Check = async (needs, account) => {
    const need = needs.elasticIps;
    const [quota, addresses] = await Promise.all([
        quotaOrDefault(account, QUOTAS.elasticIps, "elastic-ips"),
        account.addresses(),
    ]);
    const own = addresses.filter((a) => ownedBy(needs)(a.tags)).length;
    const others = addresses.length - own;
    const limit = quota.value!;
    const what = `${need.total} Elastic IP${need.total === 1 ? "" : "s"} (${need.natGateways} NAT gateway${need.natGateways === 1 ? "" : "s"}, ${need.natStrategy} over ${need.azCount} AZs${need.bastion ? `; ${need.bastion} bastion` : ""})`;
    const found = `${addresses.length} allocated in ${needs.region}${own ? ` (${own} already this stack's)` : ""}, quota ${limit}`;
    const result: CheckResult =
        others + need.total <= limit
            ? { id: "elastic-ips", status: "pass", message: `${what}; ${found}` }
            : {
                  id: "elastic-ips",
                  status: "fail",
                  message: `${what} do not fit: ${found}, so ${others} + ${need.total} > ${limit}; the NAT gateways would fail with AddressLimitExceeded`,
                  fix: `${quotaRequest(needs, QUOTAS.elasticIps, others + need.total)} (or release unused addresses: aws ec2 describe-addresses --region ${needs.region} --query 'Addresses[?AssociationId==null]', then aws ec2 release-address --allocation-id <id> --region ${needs.region})`,
              };
    return quota.warning ? [quota.warning, result] : [result];
};

export const vpcs: Check = async (needs, account) => {
    const [quota, existing] = await Promise.all([quotaOrDefault(account, QUOTAS.vpcs, "vpcs"), account.vpcs()]);
    const own = existing.filter((v) => ownedBy(needs)(v.tags)).length;
    const others = existing.length - own;
    const limit = quota.value!;
    const found = `${existing.length} in ${needs.region}${own ? ` (${own} already this stack's)` : ""}, quota ${limit}`;
    const result: CheckResult =
        others + needs.vpcs <= limit
            ? { id: "vpcs", status: "pass", message: `${needs.vpcs} VPC; ${found}` }
            : {
                  id: "vpcs",
                  status: "fail",
                  message: `${needs.vpcs} VPC does not fit: ${found}`,
                  fix: `${quotaRequest(needs, QUOTAS.vpcs, others + needs.vpcs)} (or delete an unused VPC)`,
              };
    return quota.warning ? [quota.warning, result] : [result];
};

export const vcpus: Check = async (needs, account) => {
    const quota = await quotaOrDefault(account, QUOTAS.standardVcpus, "vcpus");
    let inUse: { instanceType: string; tags: Tags }[] | undefined;
    let usageWarning: CheckResult | undefined;
    try {
        inUse = (await account.onDemandInstances()).filter((i) => !ownedBy(needs)(i.tags));
    } catch (e) {
        if (!isAccessDenied(e)) {
            throw e;
        }
        usageWarning = {
            id: "vcpus",
            status: "warn",
            message: `the running instances could not be listed (ec2:DescribeInstances denied); the need is compared with the whole quota`,
        };
    }
    const types = [...needs.instanceTypes, ...(inUse ?? []).map((i) => i.instanceType)];
    const known = await account.vcpus(types);
    const need = vcpuNeed(needs.instances, (t) => known[t], isStandardFamily);
    const used = (inUse ?? [])
        .filter((i) => isStandardFamily(i.instanceType))
        .reduce((sum, i) => sum + (known[i.instanceType] ?? estimatedVcpus(i.instanceType) ?? 0), 0);
    const results: CheckResult[] = [quota.warning, usageWarning].filter((r): r is CheckResult => r !== undefined);
    for (const type of need.unknown) {
        results.push({
            id: "vcpus",
            status: "fail",
            message: `EC2 does not know the instance type ${type} in ${needs.region}`,
            fix: "set web.instanceType or bastion.instanceType to a type `aws ec2 describe-instance-types` lists",
        });
    }
    for (const type of need.otherFamilies) {
        results.push({
            id: "vcpus",
            status: "warn",
            message: `${type} is not a Standard family; its vCPUs count against a quota of its own, not checked here`,
            fix: `aws service-quotas list-service-quotas --service-code ec2 --region ${needs.region} --query "Quotas[?contains(QuotaName, 'On-Demand')]"`,
        });
    }
    const fleet = needs.instances
        .filter((i) => isStandardFamily(i.instanceType) && known[i.instanceType] !== undefined)
        .map((i) => `${i.count} × ${i.instanceType} (${known[i.instanceType]} vCPUs, ${i.role})`)
        .join(" + ");
    if (quota.value === undefined) {
        results.push({
            id: "vcpus",
            status: "fail",
            message: `the fleet needs ${need.standard} On-Demand Standard vCPUs at most (${fleet}), and the quota could not be read`,
            fix: `aws service-quotas get-service-quota --service-code ec2 --quota-code ${QUOTAS.standardVcpus.quotaCode} --region ${needs.region}`,
        });
        return results;
    }
    const usedText = inUse ? `${used} in use by other instances` : "usage unknown";
    const message = `the fleet needs ${need.standard} On-Demand Standard vCPUs at most (${fleet}); ${usedText}, quota ${quota.value}`;
    results.push(
        used + need.standard <= quota.value
            ? { id: "vcpus", status: "pass", message }
            : {
                  id: "vcpus",
                  status: "fail",
                  message: `${message}: ${used} + ${need.standard} > ${quota.value}, so scaling out (or the first launch) would fail with VcpuLimitExceeded`,
                  fix: quotaRequest(needs, QUOTAS.standardVcpus, used + need.standard),
              },
    );
    return results;
};
