/**
 * Which input changes replace a resource (delete and create) rather than update it in place:
 * the provider schema's force-new properties, for the resource types this stack uses. The
 * schema ships inside the provider binary, not the npm package, so the offline plan diff keeps
 * this curated table (from the AWS provider's documentation and the Terraform schema it wraps);
 * a type missing here is reported as an update, with a note that replacement is not known
 * offline. Any input of a `random` or `tls` resource replaces it.
 */

/** Top-level input names whose change forces a replacement, per type token. */
export const FORCE_NEW: Record<string, readonly string[]> = {
    "aws:ec2/vpc:Vpc": ["cidrBlock", "instanceTenancy"],
    "aws:ec2/subnet:Subnet": ["availabilityZone", "availabilityZoneId", "cidrBlock", "vpcId"],
    "aws:ec2/routeTable:RouteTable": ["vpcId"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId", "gatewayId"],
    "aws:ec2/route:Route": ["routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock"],
    "aws:ec2/internetGateway:InternetGateway": [],
    "aws:ec2/natGateway:NatGateway": ["subnetId", "allocationId", "connectivityType", "privateIp"],
    "aws:ec2/eip:Eip": ["domain", "publicIpv4Pool"],
    "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "description", "vpcId"],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ["vpcId"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["securityGroupId"],
    // A changed template is a new version of the same template, not a new template.
    "aws:ec2/launchTemplate:LaunchTemplate": ["name", "namePrefix"],
    "aws:ec2/keyPair:KeyPair": ["keyName", "keyNamePrefix", "publicKey"],
    "aws:ec2/flowLog:FlowLog": [
        "vpcId",
        "trafficType",
        "logDestination",
        "logDestinationType",
        "iamRoleArn",
        "maxAggregationInterval",
        "logFormat",
    ],
    "aws:autoscaling/group:Group": ["name", "namePrefix"],
    // New content is a new version of the same document; the association follows the version.
    "aws:ssm/document:Document": ["name", "documentType"],
    "aws:ssm/association:Association": ["name", "instanceId"],
    "aws:autoscaling/policy:Policy": ["name", "autoscalingGroupName"],
    "aws:lb/loadBalancer:LoadBalancer": ["name", "namePrefix", "internal", "loadBalancerType"],
    "aws:lb/targetGroup:TargetGroup": [
        "name",
        "namePrefix",
        "port",
        "protocol",
        "protocolVersion",
        "targetType",
        "vpcId",
    ],
    "aws:lb/listener:Listener": ["loadBalancerArn"],
    "aws:acm/certificate:Certificate": ["domainName", "subjectAlternativeNames", "validationMethod", "keyAlgorithm"],
    "aws:acm/certificateValidation:CertificateValidation": ["certificateArn", "validationRecordFqdns"],
    "aws:route53/record:Record": ["name", "type", "zoneId"],
    "aws:rds/instance:Instance": [
        "identifier",
        "identifierPrefix",
        "engine",
        "dbName",
        "username",
        "storageEncrypted",
        "kmsKeyId",
        "availabilityZone",
        "characterSetName",
        "timezone",
    ],
    "aws:rds/subnetGroup:SubnetGroup": ["name", "namePrefix"],
    "aws:rds/parameterGroup:ParameterGroup": ["name", "namePrefix", "family"],
    "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "multiRegion"],
    "aws:kms/alias:Alias": ["name", "namePrefix"],
    "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix"],
    "aws:s3/bucketObjectv2:BucketObjectv2": ["bucket", "key"],
    "aws:s3/bucketPolicy:BucketPolicy": ["bucket"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["bucket"],
    "aws:s3/bucketVersioning:BucketVersioning": ["bucket"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["bucket"],
    "aws:iam/role:Role": ["name", "namePrefix", "path"],
    "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
    "aws:iam/instanceProfile:InstanceProfile": ["name", "namePrefix", "path"],
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": ["awsServiceName", "customSuffix"],
    "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
    "aws:cloudwatch/dashboard:Dashboard": ["dashboardName"],
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ["policyName"],
    "aws:sns/topic:Topic": ["name", "namePrefix", "fifoTopic"],
    "aws:sns/topicPolicy:TopicPolicy": ["arn"],
    "aws:sns/topicSubscription:TopicSubscription": ["topic", "protocol", "endpoint"],
    "aws:secretsmanager/secret:Secret": ["name", "namePrefix"],
    "aws:lambda/function:Function": ["name"],
    // Changed input or triggers invoke the function again: a new invocation resource.
    "aws:lambda/invocation:Invocation": ["functionName", "qualifier", "input", "triggers"],
    "aws:wafv2/webAcl:WebAcl": ["name", "namePrefix", "scope"],
    "aws:wafv2/webAclAssociation:WebAclAssociation": ["resourceArn", "webAclArn"],
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ["resourceArn"],
    "aws:cloudfront/distribution:Distribution": [],
    "aws:cloudfront/originAccessControl:OriginAccessControl": [],
};

export type ReplacementVerdict = "replace" | "update" | "unknown";

/**
 * What changing these top-level inputs does to a resource of `type`: "replace" when any is
 * force-new (or named in its `replaceOnChanges`), "update" when none is, "unknown" when the
 * type is not in the table (shown as an update, with the note).
 */
export function replacementFor(
    type: string,
    changedInputs: string[],
    replaceOnChanges: readonly string[] = [],
): { verdict: ReplacementVerdict; because: string[] } {
    const forced = changedInputs.filter((k) => replaceOnChanges.includes(k) || replaceOnChanges.includes("*"));
    if (type.startsWith("random:") || type.startsWith("tls:")) {
        return { verdict: changedInputs.length ? "replace" : "update", because: changedInputs };
    }
    const table = FORCE_NEW[type];
    if (!table) {
        return forced.length ? { verdict: "replace", because: forced } : { verdict: "unknown", because: [] };
    }
    const because = [...new Set([...forced, ...changedInputs.filter((k) => table.includes(k))])];
    return { verdict: because.length ? "replace" : "update", because };
}
