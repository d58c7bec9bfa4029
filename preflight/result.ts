/**
 * What a preflight check returns, and what every check shares: how an error from the account
 * becomes a failure that names the denied action, what counts as this stack's own, and how a
 * quota is read (or assumed, when Service Quotas is not allowed).
 */
import { Account, Tags } from "./account";
import { StackNeeds } from "./needs";

export type CheckStatus = "pass" | "warn" | "fail";

export interface CheckResult {
    id: string;
    status: CheckStatus;
    message: string;
    /** The command or request that fixes a failure (or a warning). */
    fix?: string;
}

export type Check = (needs: StackNeeds, account: Account) => Promise<CheckResult[]>;

const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"]);

export function isAccessDenied(e: unknown): boolean {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    return ACCESS_DENIED.has(err?.name ?? "") || err?.$metadata?.httpStatusCode === 403;
}

/** Runs a check; an error from the account becomes its failure, naming what was denied. */
export function guarded(id: string, actions: string, check: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
    return check().catch((e: Error) => [
        isAccessDenied(e)
            ? {
                  id,
                  status: "fail" as const,
                  message: `could not check: ${actions} was denied (${e.message})`,
                  fix: `allow ${actions} to these credentials (docs/ci-iam.md lists every action the preflight reads with), or run it with credentials that may`,
              }
            : {
                  id,
                  status: "fail" as const,
                  message: `could not check: ${e.name}: ${e.message}`,
                  fix: "run the preflight again; if it keeps failing, check the region, the network and the credentials",
              },
    ]);
}

export function ownedBy(needs: StackNeeds): (tags: Tags) => boolean {
    return (tags) => tags["webfleet:project"] === needs.project && tags["webfleet:stack"] === needs.stack;
}

export function quotaRequest(
    needs: StackNeeds,
    q: { serviceCode: string; quotaCode: string },
    desired: number,
): string {
    return `aws service-quotas request-service-quota-increase --service-code ${q.serviceCode} --quota-code ${q.quotaCode} --desired-value ${desired} --region ${needs.region}`;
}

/** The applied quota, or (when Service Quotas is not allowed) its AWS default and a warning. */
export async function quotaOrDefault(
    account: Account,
    q: { serviceCode: string; quotaCode: string; name: string; awsDefault: number | undefined },
    id: string,
): Promise<{ value?: number; warning?: CheckResult }> {
    try {
        return { value: await account.quota(q.serviceCode, q.quotaCode) };
    } catch (e) {
        if (!isAccessDenied(e)) {
            throw e;
        }
        const assumed =
            q.awsDefault === undefined ? "no default to assume" : `assuming the AWS default of ${q.awsDefault}`;
        return {
            value: q.awsDefault,
            warning: {
                id,
                status: "warn",
                message: `the quota "${q.name}" (${q.quotaCode}) could not be read (servicequotas:GetServiceQuota denied); ${assumed}`,
                fix: `aws service-quotas get-service-quota --service-code ${q.serviceCode} --quota-code ${q.quotaCode}, with credentials that may`,
            },
        };
    }
}
