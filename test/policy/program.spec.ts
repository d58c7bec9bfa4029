/**
 * The whole pack over the real dev and prod programs (as the offline preview records them), and
 * over broken variants of those very records: each misconfiguration the pack exists for must be
 * caught as mandatory, in dev and in prod.
 */
import { expect } from "chai";
import { runPolicyPack } from "../../offline/policyRunner";
import { ProgramRun } from "../../offline/program";
import { RecordedResource } from "../../offline/types";
import { named, runStack } from "../support/program";

function clone(run: ProgramRun): RecordedResource[] {
    return JSON.parse(JSON.stringify(run.resources));
}

function find(resources: RecordedResource[], type: string, name: string): RecordedResource {
    const r = resources.find((x) => x.type === type && x.name === name);
    expect(r, `${type} ${name}`).to.not.equal(undefined);
    return r!;
}

/** Sets a property on both the inputs and the recorded state, as a real preview would show it. */
function set(r: RecordedResource, key: string, value: unknown): void {
    r.inputs[key] = value;
    r.outputs[key] = value;
}

async function mandatory(run: ProgramRun, resources: RecordedResource[]) {
    const report = await runPolicyPack({ project: run.project, stack: run.stack, resources });
    return report.violations.filter((v) => v.enforcementLevel === "mandatory");
}

describe("policy pack over the real programs", function () {
    this.timeout(120000);
    const runs: Record<string, ProgramRun> = {};
    before(async () => {
        runs.dev = await runStack("dev");
        runs.prod = await runStack("prod");
    });

    for (const stack of ["dev", "prod"]) {
        it(`finds no mandatory violation in ${stack} as shipped`, async () => {
            expect(await mandatory(runs[stack], clone(runs[stack]))).to.deep.equal([]);
        });

        const variants: [string, string, (resources: RecordedResource[], run: ProgramRun) => void][] = [
            [
                "a public database",
                "rds-no-public-access",
                (rs) => set(find(rs, "aws:rds/instance:Instance", "database-db"), "publiclyAccessible", true),
            ],
            [
                "SSH from 0.0.0.0/0 on the web servers",
                "ssh-only-from-bastion",
                (rs, run) => {
                    const rule = JSON.parse(
                        JSON.stringify(
                            find(rs, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "web-app-from-alb"),
                        ),
                    );
                    rule.urn = rule.urn.replace("web-app-from-alb", "web-ssh-world");
                    rule.name = "web-ssh-world";
                    for (const props of [rule.inputs, rule.outputs]) {
                        Object.assign(props, {
                            fromPort: 22,
                            toPort: 22,
                            ipProtocol: "tcp",
                            cidrIpv4: "0.0.0.0/0",
                            description: "oops",
                        });
                        delete props.referencedSecurityGroupId;
                    }
                    rule.propertyDependencies = { securityGroupId: rule.propertyDependencies.securityGroupId ?? [] };
                    expect(rule.inputs.securityGroupId).to.equal(
                        named(run, "aws:ec2/securityGroup:SecurityGroup", "web-sg").outputs.id,
                    );
                    rs.push(rule);
                },
            ],
            [
                "an HTTP listener that forwards",
                "alb-http-redirects-to-https",
                (rs) => {
                    const http = rs.find((r) => r.type === "aws:lb/listener:Listener" && r.inputs.port === 80)!;
                    const https = rs.find((r) => r.type === "aws:lb/listener:Listener" && r.inputs.port === 443)!;
                    set(http, "defaultActions", https.inputs.defaultActions);
                },
            ],
            [
                "IMDSv1 on the web servers",
                "imdsv2-required",
                (rs) => {
                    const lt = find(rs, "aws:ec2/launchTemplate:LaunchTemplate", "web-lt");
                    set(lt, "metadataOptions", { ...lt.inputs.metadataOptions, httpTokens: "optional" });
                },
            ],
        ];
        for (const [title, policy, breakIt] of variants) {
            it(`catches ${title} in ${stack} (${policy})`, async () => {
                const resources = clone(runs[stack]);
                breakIt(resources, runs[stack]);
                const found = await mandatory(runs[stack], resources);
                expect(found.map((v) => v.policy)).to.include(policy);
            });
        }
    }
});
