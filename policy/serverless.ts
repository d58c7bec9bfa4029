/**
 * Lambda rules: a function that reaches the database runs inside the VPC (the database is only
 * reachable there, and the alternative is a public database), and runs on a runtime Lambda
 * still patches, and a permission for an AWS service names the caller (the confused deputy).
 * Secrets in its environment: env-no-secrets; function URLs: lambda-url-auth. An API Gateway
 * method a team puts in front of a function authenticates its callers.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { identifiersOf, ofType, resolveRef } from "./lib/graph";
import { runtimeDeprecation } from "./lib/engines";
import { isFixedValue } from "./lib/fixedConditions";
import { parsePolicy } from "./lib/iamDoc";
import { reportAdvisory } from "./lib/report";
import { WebfleetPolicy, resourceRule, stackRule, today } from "./lib/rule";
import { T, subject } from "./lib/types";
import { Peeked, attempt, peek } from "./lib/values";

const DATABASE_TYPES = [T.rdsInstance, T.rdsCluster, T.rdsProxy];

/** Whether an environment value or its dependencies name a database of the stack. */
function envReachesDatabase(fn: PolicyResource, databases: PolicyResource[]): boolean {
    if ((fn.propertyDependencies?.environment ?? []).some((d) => DATABASE_TYPES.includes(d.type as never))) {
        return true;
    }
    const vars = peek<Record<string, unknown>>(fn.props, "environment", "variables");
    if (!vars.known || !vars.value) {
        return false;
    }
    const ids = new Set(databases.flatMap(identifiersOf));
    return Object.keys(vars.value).some((k) => {
        const v = peek<string>(vars.value, k);
        return v.known && typeof v.value === "string" && ids.has(v.value);
    });
}

/**
 * Whether the function's role may connect to a database with IAM tokens (rds-db:connect):
 * "unknown" when one of its inline policies is unknown during preview (a document built from the
 * database's ARN with apply is, at a first preview) and no known one already grants it.
 */
function roleConnects(fn: PolicyResource, resources: PolicyResource[]): boolean | "unknown" {
    const role = resolveRef(fn, "role", ofType(resources, T.iamRole));
    if (role.kind !== "resolved") {
        return false;
    }
    let unknown = false;
    for (const rp of ofType(resources, T.iamRolePolicy)) {
        if (resolveRef(rp, "role", role.targets).kind !== "resolved") {
            continue;
        }
        const parsed = attempt(() => parsePolicy(rp.props.policy));
        if (!parsed.known) {
            unknown = true;
        } else if (
            parsed.value.ok &&
            parsed.value.statements.some(
                (s) => s.effect === "Allow" && s.actions.some((a) => /^rds-db:(connect|\*)$/i.test(a)),
            )
        ) {
            return true;
        }
    }
    return unknown ? "unknown" : false;
}

const lambdaInVpcForDatabase = stackRule({
    name: "lambda-in-vpc-for-database",
    description:
        "A Lambda function that reaches the database runs inside the VPC with a security group, never against a database opened to the internet for it.",
    severity: "high",
    resources: [T.lambdaFunction, ...DATABASE_TYPES, T.iamRole, T.iamRolePolicy],
    checks: "A function whose environment names a database of the stack (by value or property dependency) or whose role has rds-db:connect sets vpcConfig with subnetIds and securityGroupIds",
    equivalents: { cdkNag: ["NIST.800.53.R5-LambdaInsideVPC"], checkov: ["CKV_AWS_117"] },
    unknown: "advisory",
    validate: (args, report: ReportViolation) => {
        const databases = ofType(args.resources, ...DATABASE_TYPES);
        for (const fn of ofType(args.resources, T.lambdaFunction)) {
            const connects = envReachesDatabase(fn, databases) || roleConnects(fn, args.resources);
            if (connects === false) {
                continue;
            }
            const subnets = peek<unknown[]>(fn.props, "vpcConfig", "subnetIds");
            const groups = peek<unknown[]>(fn.props, "vpcConfig", "securityGroupIds");
            const empty = (p: { known: boolean; value?: unknown[] }) =>
                p.known && (!Array.isArray(p.value) || p.value.length === 0);
            if (connects === "unknown") {
                if (empty(subnets) || empty(groups)) {
                    reportAdvisory(
                        report,
                        `${subject(fn.type, fn.name)} runs outside the VPC and its role has a policy unknown during preview, so whether it may connect to the database (rds-db:connect) cannot be verified yet; functions that reach the database run in the VPC`,
                        fn.urn,
                    );
                }
                continue;
            }
            if (!subnets.known || !groups.known) {
                reportAdvisory(
                    report,
                    `${subject(fn.type, fn.name)} reaches the database and its vpcConfig is unknown during preview, so it cannot be verified yet; functions that reach the database run in the VPC`,
                    fn.urn,
                );
                continue;
            }
            if (empty(subnets) || empty(groups)) {
                report(
                    `${subject(fn.type, fn.name)} reaches the database but runs outside the VPC (vpcConfig has no ${empty(subnets) ? "subnetIds" : "securityGroupIds"}), and the database is reachable only inside it; functions that reach the database run in the VPC (set vpcConfig: { subnetIds: private subnets, securityGroupIds: [a group the database admits] })`,
                    fn.urn,
                );
            }
        }
    },
});

const lambdaSupportedRuntime = resourceRule({
    name: "lambda-supported-runtime",
    description: "Lambda functions run on a runtime that Lambda still patches (not past its deprecation date).",
    severity: "high",
    checks: "runtime is not past its deprecation date in the dated table (policy/lib/engines.ts); container images and unknown new runtimes pass",
    equivalents: { cdkNag: ["AwsSolutions-L1"], checkov: ["CKV_AWS_363"] },
    unknown: "advisory",
    requirement: "functions run on a supported runtime",
    validate: [
        validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
            if (!fn.runtime || fn.packageType === "Image") {
                return;
            }
            const date = runtimeDeprecation(fn.runtime);
            if (date !== undefined && date <= today()) {
                report(
                    `${subject(args.type, args.name)} runs on ${fn.runtime}, deprecated on ${date}, which gets no more security patches and will stop updating; functions run on a supported runtime (move to the current version of the language, e.g. nodejs22.x or python3.13)`,
                );
            }
        }),
    ],
});

const SOURCE_FIX =
    "a permission for an AWS service names the resource or account that may use it (set sourceArn to the bucket, topic, rule or API that calls the function, and sourceAccount to the account)";

const lambdaPermissionSourceConfined = resourceRule({
    name: "lambda-permission-source-confined",
    description:
        "A Lambda permission granted to an AWS service says which resource or account may make the service call the function, so no other account's bucket, topic or rule can invoke it (the confused deputy).",
    severity: "high",
    checks: 'aws.lambda.Permission whose principal is a service (…amazonaws.com) sets sourceArn or sourceAccount, with a fixed value (not "arn:aws:s3:::*" or "*")',
    equivalents: { checkov: ["CKV_AWS_364"] },
    unknown: "reference",
    unknownNote:
        "A sourceArn or sourceAccount unknown at preview is a reference to a resource of the stack and counts as set.",
    requirement: SOURCE_FIX,
    validate: [
        validateResourceOfType(aws.lambda.Permission, (p, args, report) => {
            if (typeof p.principal !== "string" || !/\.amazonaws\.com(\.cn)?$/i.test(p.principal)) {
                return;
            }
            // A value unknown at preview is a reference to a resource or account of the stack.
            const arn = peek<string>(p, "sourceArn");
            const account = peek<string>(p, "sourceAccount");
            const names = (v: Peeked<string | undefined>, key: string) =>
                !v.known || (!!v.value && isFixedValue(key, v.value));
            if (!names(arn, "aws:SourceArn") && !names(account, "aws:SourceAccount")) {
                const given = (arn.known && arn.value) || (account.known && account.value);
                report(
                    `${subject(args.type, args.name)} lets ${p.principal} call the function (${p.action}) ${given ? `for any caller (${JSON.stringify(given)} matches every account or resource)` : "with no sourceArn or sourceAccount"}, so a resource in any AWS account can make the service invoke it; ${SOURCE_FIX}`,
                );
            }
        }),
    ],
});

const APIGW_FIX =
    'API methods authenticate their callers (set authorization to "AWS_IAM", "COGNITO_USER_POOLS" or "CUSTOM" with an authorizerId; an API key is not authentication); a method meant to be public takes an exemption with its reason';

const apigwMethodAuth = resourceRule({
    name: "apigw-method-auth",
    description:
        "API Gateway REST methods authenticate their callers, as function URLs must (lambda-url-auth), so a backend is not callable by anyone on the internet.",
    severity: "high",
    checks: 'aws.apigateway.Method authorization is not "NONE" (CORS preflight OPTIONS methods pass); an API key (apiKeyRequired) does not count as authentication; aws.apigatewayv2.Route authorizationType is set and not "NONE" on HTTP API routes ("GET /path", not OPTIONS) and WebSocket $connect ($default, $disconnect and WebSocket message routes take no authorizer)',
    equivalents: { cdkNag: ["AwsSolutions-APIG4"], checkov: ["CKV_AWS_59", "CKV_AWS_309"] },
    unknown: "advisory",
    requirement: APIGW_FIX,
    validate: [
        validateResourceOfType(aws.apigateway.Method, (m, args, report) => {
            if (String(m.authorization).toUpperCase() === "NONE" && String(m.httpMethod).toUpperCase() !== "OPTIONS") {
                report(
                    `${subject(args.type, args.name)} (${m.httpMethod}) has authorization "NONE"${m.apiKeyRequired ? " (an API key identifies a client, it does not authenticate one)" : ""}, so anyone who finds the API can call its backend; ${APIGW_FIX}`,
                );
            }
        }),
        validateResourceOfType(aws.apigatewayv2.Route, (r, args, report) => {
            const key = String(r.routeKey).trim();
            const http = /^([A-Z]+) \//.exec(key);
            const judged = (http !== null && http[1] !== "OPTIONS") || key === "$connect";
            if (judged && String(r.authorizationType ?? "NONE").toUpperCase() === "NONE") {
                report(
                    `${subject(args.type, args.name)} (${key}) has authorization type ${r.authorizationType === undefined ? "unset (NONE)" : '"NONE"'}${r.apiKeyRequired ? " (an API key identifies a client, it does not authenticate one)" : ""}, so anyone who finds the API can call its backend; ${APIGW_FIX.replace('set authorization to "AWS_IAM", "COGNITO_USER_POOLS" or "CUSTOM" with an authorizerId', 'set authorizationType to "AWS_IAM", "JWT" or "CUSTOM" with an authorizerId')}`,
                );
            }
        }),
    ],
});

export const serverlessPolicies: WebfleetPolicy[] = [
    lambdaInVpcForDatabase,
    lambdaSupportedRuntime,
    lambdaPermissionSourceConfined,
    apigwMethodAuth,
];
