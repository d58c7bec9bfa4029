"""Steps of the web servers' patch automation (lib/patching.ts builds the SSM document around them).

One server at a time: it goes to Standby WITHOUT lowering the group's desired capacity, so Auto
Scaling launches a replacement first (the surge); only once the surge answers its health checks is
the server patched (and rebooted if needed), checked, put back in service, and the surge removed.
The group never has fewer healthy servers than it wants, and anything that stops half-way leaves
one more server, never one fewer.

Systems Manager runs each function as an aws:executeScript step (Python 3.11, boto3 available);
the tests call them with fake clients and a fake clock.
"""
import time

POLL_SECONDS = 15
# An aws:executeScript step stops at 600 s; stay below it and say why.
WAIT_SECONDS = 540
BUSY_REFRESH = ("Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking")


def _clients():
    import boto3  # present where Systems Manager runs the script

    return boto3.client("autoscaling"), boto3.client("elbv2")


def _group(autoscaling, name):
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    if not groups:
        raise Exception(f"Auto Scaling group {name} does not exist")
    return groups[0]


def _healthy_in(elbv2, target_group, instance):
    targets = elbv2.describe_target_health(TargetGroupArn=target_group)["TargetHealthDescriptions"]
    return any(t["Target"]["Id"] == instance and t["TargetHealth"]["State"] == "healthy" for t in targets)


def enter_standby(events, context, clients=None):
    """Checks the group is steady, then takes the server out with the group's desired capacity kept."""
    autoscaling, _ = clients or _clients()
    name, instance = events["AutoScalingGroupName"], events["InstanceId"]
    refreshes = autoscaling.describe_instance_refreshes(AutoScalingGroupName=name)["InstanceRefreshes"]
    busy = [r["Status"] for r in refreshes if r["Status"] in BUSY_REFRESH]
    if busy:
        raise Exception(f"{name}: an instance refresh is {busy[0]}; patching waits for the next window instead of racing a rollout")
    group = _group(autoscaling, name)
    members = group["Instances"]
    ids = [m["InstanceId"] for m in members]
    if instance not in ids:
        raise Exception(f"{instance} is not in {name}; only the group's own servers are patched this way")
    unsteady = [
        f'{m["InstanceId"]} {m["LifecycleState"]}/{m["HealthStatus"]}'
        for m in members
        if m["LifecycleState"] != "InService" or m["HealthStatus"] != "Healthy"
    ]
    desired = group["DesiredCapacity"]
    if unsteady or len(members) < desired:
        why = ", ".join(unsteady) or f"{len(members)} of {desired} servers"
        raise Exception(f"{name} is not steady ({why}); no server is taken out of a group that is already short")
    # The surge keeps the desired capacity and returning the server raises it by one (ExitStandby),
    # so the group needs room for one more than it wants, or the server could not come back.
    if desired >= group.get("MaxSize", desired + 1):
        raise Exception(
            f"{name} wants {desired} servers and may have at most {group['MaxSize']}, leaving no room for the surge server; "
            "raise web.maxSize above web.desiredCapacity (patching waits for the next window until then)"
        )
    autoscaling.enter_standby(InstanceIds=[instance], AutoScalingGroupName=name, ShouldDecrementDesiredCapacity=False)
    return {"Others": [i for i in ids if i != instance]}


def wait_for_surge(events, context, clients=None, clock=time):
    """Waits for the server Auto Scaling launched in the patched one's place to be healthy behind the ALB."""
    autoscaling, elbv2 = clients or _clients()
    name, instance = events["AutoScalingGroupName"], events["InstanceId"]
    before = set(events["Others"]) | {instance}
    deadline = clock.time() + WAIT_SECONDS
    while True:
        launched = [
            m["InstanceId"]
            for m in _group(autoscaling, name)["Instances"]
            if m["InstanceId"] not in before and m["LifecycleState"] == "InService"
        ]
        for candidate in launched:
            if _healthy_in(elbv2, events["TargetGroupArn"], candidate):
                return {"SurgeInstanceId": candidate}
        if clock.time() >= deadline:
            raise Exception(
                f"no server launched in place of {instance} was healthy in {name} within {WAIT_SECONDS} s "
                f"(launched: {', '.join(launched) or 'none yet'}); {instance} stays in Standby, unpatched"
            )
        clock.sleep(POLL_SECONDS)


def wait_in_service(events, context, clients=None, clock=time):
    """Waits for the patched server to be back in service and healthy behind the ALB."""
    autoscaling, elbv2 = clients or _clients()
    name, instance = events["AutoScalingGroupName"], events["InstanceId"]
    deadline = clock.time() + WAIT_SECONDS
    while True:
        state = next((m["LifecycleState"] for m in _group(autoscaling, name)["Instances"] if m["InstanceId"] == instance), None)
        if state == "InService" and _healthy_in(elbv2, events["TargetGroupArn"], instance):
            return {"InstanceId": instance}
        if clock.time() >= deadline:
            raise Exception(
                f"{instance} was not healthy behind the load balancer within {WAIT_SECONDS} s of returning ({state}); "
                "Auto Scaling replaces it if it stays unhealthy, and the surge server stays"
            )
        clock.sleep(POLL_SECONDS)
