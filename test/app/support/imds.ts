/**
 * The app's tests use the fleet's IMDSv2 stand-in (e2e/fleet/imds.ts), so the app is tested
 * against the same metadata service the local fleet gives every server.
 */
export {
    startImds as startFakeImds,
    newInstanceId as fakeInstanceId,
    type Imds as FakeImds,
    type ImdsOptions as FakeImdsOptions,
} from "../../../e2e/fleet/imds";
