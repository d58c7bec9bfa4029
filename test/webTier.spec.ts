import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSettings } from "../app/settings";
import { APP_KEEP_ALIVE_SECONDS, DEREGISTRATION_DELAY_SECONDS, HEALTH_CHECK } from "../components/loadBalancer";
import { ProgramRun, REPO_ROOT } from "../offline/program";
import { RecordedResource } from "../offline/types";
import { named, ofType, sharedRun } from "./support/program";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const LISTENER = "aws:lb/listener:Listener";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const ASG = "aws:autoscaling/group:Group";

/** [protocol, from, to, source] of every rule of `type` on the group, sorted. */
function rules(run: ProgramRun, type: string, sgId: string): (string | number)[][] {
    return ofType(run, type)
        .filter((r) => r.inputs.securityGroupId === sgId)
        .map((r) => [
            r.inputs.ipProtocol,
            r.inputs.fromPort,
            r.inputs.toPort,
            r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6 ?? r.inputs.prefixListId,
        ])
        .sort((a, b) => String(a).localeCompare(String(b)));
}

function userDataOf(run: ProgramRun): string {
    return Buffer.from(named(run, LT, "web-lt").inputs.userData, "base64").toString("utf8");
}

/** Every value any resource received as a Pulumi secret. */
function secretValues(run: ProgramRun): string[] {
    const at = (r: RecordedResource, p: string) => p.match(/[^.[\]]+/g)!.reduce((v: any, k) => v?.[k], r.inputs);
    return run.resources
        .flatMap((r) => r.secretInputPaths.map((p) => at(r, p)))
        .filter((v): v is string => typeof v === "string" && v.length > 0);
}

describe("web tier (mocked program)", function () {
    let dev: ProgramRun;
    let prod: ProgramRun;
    let ids: { web: string; alb: string; bastion: string };
    before(async () => {
        dev = await sharedRun("dev");
        prod = await sharedRun("prod");
        ids = {
            web: named(dev, SG, "web-sg").outputs.id,
            alb: named(dev, SG, "web-lb-sg").outputs.id,
            bastion: named(dev, SG, "bastion-sg").outputs.id,
        };
    });

    describe("load balancer", () => {
        it("is an internet-facing ALB in the public subnets with defensive settings", () => {
            const alb = named(dev, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb");
            expect(alb.inputs).to.include({
                loadBalancerType: "application",
                internal: false,
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "strictest",
                enableHttp2: true,
                idleTimeout: 60,
                enableDeletionProtection: false,
            });
            expect(alb.inputs.subnets).to.deep.equal(dev.outputs.publicSubnetIds.value);
            expect(alb.inputs.securityGroups).to.deep.equal([ids.alb]);
            expect(alb.inputs.accessLogs).to.deep.equal({
                bucket: dev.outputs.accessLogsBucketName.value,
                enabled: true,
                prefix: "alb",
            });
            expect(
                named(prod, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb").inputs.enableDeletionProtection,
            ).to.equal(true);
        });

        it("keeps its idle timeout below the app's keep-alive timeout", () => {
            const server = fs.readFileSync(path.join(REPO_ROOT, "app", "http", "server.ts"), "utf8");
            const keepAlive = Number(/keepAliveTimeout = ([\d_]+)/.exec(server)![1].replace(/_/g, ""));
            expect(APP_KEEP_ALIVE_SECONDS * 1000).to.equal(keepAlive);
            expect(named(prod, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb").inputs.idleTimeout).to.be.below(
                APP_KEEP_ALIVE_SECONDS,
            );
        });

        it("answers HTTP with exactly one action: a 301 to HTTPS keeping host, path and query", () => {
            const http = named(dev, LISTENER, "web-lb-http");
            expect(http.inputs).to.include({ port: 80, protocol: "HTTP" });
            expect(http.inputs.defaultActions).to.deep.equal([
                {
                    type: "redirect",
                    redirect: {
                        protocol: "HTTPS",
                        port: "443",
                        host: "#{host}",
                        path: "/#{path}",
                        query: "#{query}",
                        statusCode: "HTTP_301",
                    },
                },
            ]);
            expect(http.inputs.certificateArn).to.equal(undefined);
        });

        it("serves HTTPS with the TLS 1.3 policy and forwards to the target group, and has no other listener or rule", () => {
            const https = named(dev, LISTENER, "web-lb-https");
            const tg = named(dev, "aws:lb/targetGroup:TargetGroup", "web-lb-tg");
            expect(https.inputs).to.include({
                port: 443,
                protocol: "HTTPS",
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            });
            expect(https.inputs.certificateArn).to.equal(
                named(dev, "aws:acm/certificate:Certificate", "web-lb-cert-import").outputs.arn,
            );
            expect(https.inputs.defaultActions).to.deep.equal([{ type: "forward", targetGroupArn: tg.outputs.arn }]);
            expect(
                ofType(dev, LISTENER)
                    .map((l) => l.name)
                    .sort(),
            ).to.deep.equal(["web-lb-http", "web-lb-https"]);
            expect(ofType(dev, "aws:lb/listenerRule:ListenerRule")).to.deep.equal([]);
        });

        it("health-checks /healthz on the app port, deregisters faster than the app drains, and is not sticky", () => {
            const tg = named(dev, "aws:lb/targetGroup:TargetGroup", "web-lb-tg");
            expect(tg.inputs).to.include({
                port: 8443,
                protocol: "HTTPS",
                targetType: "instance",
                deregistrationDelay: 15,
            });
            expect(tg.inputs.healthCheck).to.deep.equal({
                enabled: true,
                protocol: "HTTPS",
                port: "traffic-port",
                path: "/healthz",
                interval: 10,
                timeout: 5,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
                matcher: "200",
            });
            expect(tg.inputs.stickiness).to.deep.equal({ type: "lb_cookie", enabled: false });
            expect(DEREGISTRATION_DELAY_SECONDS * 1000).to.be.below(loadSettings({}).shutdownTimeoutMs);
            expect(HEALTH_CHECK.timeout).to.be.below(HEALTH_CHECK.interval);
        });
    });

    describe("security groups", () => {
        it("lets the internet reach the ALB on 80 and 443 only, and the ALB reach only the web servers' app port", () => {
            expect(rules(dev, INGRESS, ids.alb)).to.deep.equal([
                ["tcp", 443, 443, "0.0.0.0/0"],
                ["tcp", 80, 80, "0.0.0.0/0"],
            ]);
            expect(rules(dev, EGRESS, ids.alb)).to.deep.equal([["tcp", 8443, 8443, ids.web]]);
            expect(named(dev, SG, "web-lb-sg").inputs.tags).to.deep.equal({
                Name: "web-lb-sg",
                "webfleet:role": "alb",
            });
        });

        it("lets the web servers in on the app's TLS port from the ALB and on 22 from the bastion, nothing else", () => {
            expect(rules(dev, INGRESS, ids.web)).to.deep.equal([
                ["tcp", 22, 22, ids.bastion],
                ["tcp", 8443, 8443, ids.alb],
            ]);
            expect(named(dev, SG, "web-sg").inputs.tags).to.deep.equal({ Name: "web-sg", "webfleet:role": "web" });
            for (const sg of ["web-sg", "web-lb-sg"]) {
                expect(named(dev, SG, sg).inputs.ingress, sg).to.equal(undefined);
                expect(named(dev, SG, sg).inputs.egress, sg).to.equal(undefined);
            }
            for (const rule of [...ofType(dev, INGRESS), ...ofType(dev, EGRESS)].filter((r) =>
                [ids.web, ids.alb].includes(r.inputs.securityGroupId),
            )) {
                expect(rule.inputs.description, rule.name).to.be.a("string").with.length.above(10);
            }
        });

        it("lets the web servers out on HTTPS (and nothing towards the database of its own)", () => {
            const out = rules(dev, EGRESS, ids.web);
            expect(out).to.deep.include(["tcp", 443, 443, "0.0.0.0/0"]);
            // Anything else is the database's 5432 pair, added by the Database component.
            for (const rule of out.filter((r) => r[1] !== 443)) {
                expect(rule).to.deep.equal(["tcp", 5432, 5432, named(dev, SG, "database-sg").outputs.id]);
            }
        });
    });

    describe("launch template", () => {
        it("requires IMDSv2 with hop limit 1, gives no public IP, and encrypts a gp3 root volume", () => {
            const lt = named(dev, LT, "web-lt");
            expect(lt.inputs.metadataOptions).to.deep.equal({
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
                instanceMetadataTags: "disabled",
            });
            expect(lt.inputs.networkInterfaces).to.deep.equal([
                {
                    deviceIndex: 0,
                    associatePublicIpAddress: "false",
                    deleteOnTermination: "true",
                    securityGroups: [ids.web],
                },
            ]);
            expect(lt.inputs.vpcSecurityGroupIds).to.equal(undefined);
            expect(lt.inputs.blockDeviceMappings).to.have.length(1);
            expect(lt.inputs.blockDeviceMappings[0]).to.deep.include({ deviceName: "/dev/xvda" });
            expect(lt.inputs.blockDeviceMappings[0].ebs).to.include({
                encrypted: "true",
                volumeType: "gp3",
                volumeSize: 20,
                deleteOnTermination: "true",
                kmsKeyId: dev.outputs.kmsKeyArn.value,
            });
        });

        it("runs Amazon Linux 2023 through the public SSM parameter, sized per stack, with detailed monitoring in prod", () => {
            const lt = named(dev, LT, "web-lt");
            expect(lt.inputs.imageId).to.equal(
                "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
            );
            expect(lt.inputs.instanceType).to.equal("t4g.small");
            expect(lt.inputs.monitoring).to.deep.equal({ enabled: false });
            expect(named(prod, LT, "web-lt").inputs.instanceType).to.equal("t4g.medium");
            expect(named(prod, LT, "web-lt").inputs.monitoring).to.deep.equal({ enabled: true });
            expect(dev.invokes.filter((i) => i.includes("getAmi"))).to.deep.equal([]);
        });

        it("has an instance profile that reads the app bundles (any version a launch template names), uses Session Manager, and nothing with * actions", () => {
            const lt = named(dev, LT, "web-lt");
            expect(lt.inputs.iamInstanceProfile).to.deep.equal({
                arn: named(dev, "aws:iam/instanceProfile:InstanceProfile", "web-profile").outputs.arn,
            });
            const statements: any[] = JSON.parse(
                named(dev, "aws:iam/rolePolicy:RolePolicy", "web-role-policy").inputs.policy,
            ).Statement;
            const object = named(dev, "aws:s3/bucketObjectv2:BucketObjectv2", "web-artifact-bundle");
            const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
            // The prefix, not this deploy's key: a half-applied deploy leaves the group on the
            // previous launch template version, whose user data fetches the previous bundle.
            expect(object.inputs.key).to.match(/^app\/[0-9a-f]{64}\.js$/);
            expect(bySid.ReadAppArtifact).to.deep.equal({
                Sid: "ReadAppArtifact",
                Effect: "Allow",
                Action: "s3:GetObject",
                Resource: `arn:aws:s3:::${dev.outputs.artifactBucketName.value}/app/*`,
            });
            expect(bySid.SessionManager.Action).to.deep.equal([
                "ssm:UpdateInstanceInformation",
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ]);
            expect(bySid.DecryptAppArtifact).to.deep.equal({
                Sid: "DecryptAppArtifact",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: dev.outputs.kmsKeyArn.value,
                Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
            });
            for (const s of statements) {
                expect(s.Effect).to.equal("Allow");
                for (const action of [s.Action].flat()) {
                    expect(action, s.Sid).not.to.include("*");
                }
            }
            // The database's, the instance logs', the SSH-access association's and Patch
            // Manager's statements are the only others.
            expect(
                Object.keys(bySid).filter(
                    (sid) => !["ReadAppArtifact", "SessionManager", "DecryptAppArtifact"].includes(sid),
                ),
            ).to.deep.equal([
                "ConnectAsAppUser",
                "WriteInstanceLogs",
                "ReadSshAccessDocument",
                "RunStateManagerAssociations",
                "PatchManager",
            ]);
            expect(
                ofType(dev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
                    (a) => a.inputs.role === named(dev, "aws:iam/role:Role", "web-role").outputs.name,
                ),
            ).to.deep.equal([]);
        });

        it("tags instances, volumes and interfaces with the stack's tags, the web role and its SSH access", () => {
            const specs = named(dev, LT, "web-lt").inputs.tagSpecifications;
            const tags = {
                team: "platform",
                "webfleet:project": "webfleet",
                "webfleet:stack": "dev",
                "webfleet:environment": "dev",
                "managed-by": "pulumi",
                Name: "web-instance",
                "webfleet:role": "web",
                "webfleet:ssh-access": "webfleet/dev/web",
                // The patch group AWS-RunPatchBaseline picks the stack's baseline by (components/patching.ts).
                PatchGroup: "webfleet-dev",
            };
            expect(specs).to.deep.equal(
                ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags })),
            );
        });
    });

    describe("Auto Scaling group", () => {
        it("spans the private subnet of every AZ with ELB health checks and at least one server per AZ", () => {
            for (const [run, azs] of [
                [dev, 2],
                [prod, 3],
            ] as const) {
                const asg = named(run, ASG, "web-asg");
                const subnets: string[] = asg.inputs.vpcZoneIdentifiers;
                expect(subnets).to.deep.equal(run.outputs.privateSubnetIds.value);
                expect(new Set(subnets).size).to.equal(azs);
                expect(asg.inputs).to.include({
                    healthCheckType: "ELB",
                    healthCheckGracePeriod: 300,
                    minSize: azs,
                    desiredCapacity: azs,
                    maxSize: azs * 2,
                    minElbCapacity: azs,
                });
                expect(asg.inputs.targetGroupArns).to.deep.equal([
                    named(run, "aws:lb/targetGroup:TargetGroup", "web-lb-tg").outputs.arn,
                ]);
                // Nothing suspended, so AZRebalance keeps the servers spread.
                expect(asg.inputs.suspendedProcesses).to.deep.equal([]);
                expect(asg.inputs.availabilityZones).to.equal(undefined);
            }
        });

        it("launches the template's latest version and rolls new versions out with launch-before-terminate", () => {
            const asg = named(dev, ASG, "web-asg");
            const lt = named(dev, LT, "web-lt");
            expect(asg.inputs.launchTemplate).to.deep.equal({
                id: lt.outputs.id,
                version: String(lt.outputs.latestVersion),
            });
            expect(lt.inputs.updateDefaultVersion).to.equal(true);
            expect(asg.inputs.instanceRefresh).to.deep.equal({
                strategy: "Rolling",
                preferences: {
                    minHealthyPercentage: 100,
                    maxHealthyPercentage: 150,
                    instanceWarmup: "120",
                    checkpointPercentages: [50, 100],
                    checkpointDelay: "300",
                    // A rollout whose servers answer 5xx fails (test/monitoring.spec.ts).
                    alarmSpecification: { alarms: ["webfleet-dev-alb-5xx-rate"] },
                },
            });
            expect(asg.inputs.instanceMaintenancePolicy).to.deep.equal({
                minHealthyPercentage: 100,
                maxHealthyPercentage: 150,
            });
            expect(asg.inputs.defaultInstanceWarmup).to.equal(120);
        });

        it("scales on ALB requests per target to the stack's target", () => {
            for (const [run, target] of [
                [dev, 500],
                [prod, 1000],
            ] as const) {
                const policy = named(run, "aws:autoscaling/policy:Policy", "web-requests-per-target");
                const alb = named(run, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb");
                const tg = named(run, "aws:lb/targetGroup:TargetGroup", "web-lb-tg");
                expect(policy.inputs).to.deep.equal({
                    autoscalingGroupName: named(run, ASG, "web-asg").outputs.name,
                    policyType: "TargetTrackingScaling",
                    targetTrackingConfiguration: {
                        predefinedMetricSpecification: {
                            predefinedMetricType: "ALBRequestCountPerTarget",
                            resourceLabel: `${alb.outputs.arnSuffix}/${tg.outputs.arnSuffix}`,
                        },
                        targetValue: target,
                    },
                });
            }
        });

        it("propagates the instance tags at launch", () => {
            const tags = named(dev, ASG, "web-asg").inputs.tags;
            expect(tags).to.deep.include({ key: "webfleet:role", value: "web", propagateAtLaunch: true });
            expect(tags).to.deep.include({ key: "webfleet:stack", value: "dev", propagateAtLaunch: true });
            expect(tags.every((t: any) => t.propagateAtLaunch === true)).to.equal(true);
        });
    });

    describe("app deployment", () => {
        it("keeps the bundle in a private, versioned, encrypted, TLS-only bucket", () => {
            const bucket = dev.outputs.artifactBucketName.value;
            expect(
                named(dev, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "web-artifact-public-access")
                    .inputs,
            ).to.deep.equal({
                bucket,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
            expect(
                named(dev, "aws:s3/bucketVersioning:BucketVersioning", "web-artifact-versioning").inputs
                    .versioningConfiguration,
            ).to.deep.equal({ status: "Enabled" });
            expect(
                named(
                    dev,
                    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                    "web-artifact-encryption",
                ).inputs.rules,
            ).to.deep.equal([
                {
                    applyServerSideEncryptionByDefault: {
                        sseAlgorithm: "aws:kms",
                        kmsMasterKeyId: dev.outputs.kmsKeyArn.value,
                    },
                    bucketKeyEnabled: true,
                },
            ]);
            const policy = JSON.parse(
                named(dev, "aws:s3/bucketPolicy:BucketPolicy", "web-artifact-policy").inputs.policy,
            );
            expect(policy.Statement).to.deep.equal([
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: { AWS: "*" },
                    Action: "s3:*",
                    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ]);
            expect(
                named(dev, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "web-artifact-ownership").inputs
                    .rule,
            ).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
        });

        it("uploads the app bundle under its content hash and has the servers fetch exactly that key", () => {
            const object = named(dev, "aws:s3/bucketObjectv2:BucketObjectv2", "web-artifact-bundle");
            const sha = object.inputs.metadata.sha256;
            expect(object.inputs.key).to.equal(`app/${sha}.js`);
            // The recorder keeps an asset's text, or (newer recorders) only its digest and size.
            const source = object.inputs.source;
            if (source.asset) {
                expect(source.asset.sha256).to.equal(sha);
            } else {
                expect(source.text).to.match(/^\/\/ webfleet app server/);
                expect(createHash("sha256").update(source.text).digest("hex")).to.equal(sha);
            }
            expect(object.inputs.content).to.equal(undefined);
            expect(object.inputs).to.include({
                serverSideEncryption: "aws:kms",
                kmsKeyId: dev.outputs.kmsKeyArn.value,
                contentType: "application/javascript",
            });
            const script = userDataOf(dev);
            expect(script).to.include(
                `readonly ARTIFACT_URI='s3://${dev.outputs.artifactBucketName.value}/app/${sha}.js'`,
            );
            expect(script).to.include(`readonly ARTIFACT_SHA256='${sha}'`);
        });

        it("starts the systemd unit from user data that carries no secret of the stack", () => {
            const script = userDataOf(dev);
            expect(script).to.include('systemctl enable --now "$UNIT"');
            const secrets = secretValues(dev);
            // The self-signed certificate's private key is one of them, so this can fail.
            expect(secrets.some((s) => s.includes("PRIVATE KEY"))).to.equal(true);
            for (const secret of secrets) {
                expect(script.includes(secret), "a secret input value appears in user data").to.equal(false);
            }
            expect(script).not.to.match(/PRIVATE KEY|password|AKIA[0-9A-Z]{16}/i);
        });
    });

    it("exports the web tier's outputs, none of them secret", () => {
        const alb = named(dev, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb");
        const expected = {
            url: `https://${alb.outputs.dnsName}`,
            albDnsName: alb.outputs.dnsName,
            albZoneId: "Z35SXDOTRQ7X7K",
            albSecurityGroupId: ids.alb,
            webSecurityGroupId: ids.web,
            artifactBucketName: named(dev, "aws:s3/bucket:Bucket", "web-artifact-bucket").outputs.bucket,
        };
        for (const [key, value] of Object.entries(expected)) {
            expect(dev.outputs[key], key).to.deep.equal({ value, secret: false });
        }
    });
});
