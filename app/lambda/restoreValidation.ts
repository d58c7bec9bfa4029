/**
 * Values the restore validator (app/lambda/validateRestore.ts) and the program that deploys it
 * (components/backup/restoreTest.ts) share. Kept apart from the handler so the program does not
 * load pg and the AWS SDK just to read them.
 */

/** The log message of every failure the validator sees; the stack's alarm counts these lines. */
export const VALIDATION_FAILED_MSG = "restore validation failed";

/** What AWS Backup puts in a "Restore Job State Change" event (the fields the validator reads). */
export interface RestoreJobEvent {
    source?: string;
    "detail-type"?: string;
    detail?: {
        restoreJobId?: string;
        /** COMPLETED, FAILED or ABORTED (the rule sends only these). */
        status?: string;
        statusMessage?: string;
        /** arn:aws:rds:<region>:<account>:db:<identifier> for an RDS instance. */
        createdResourceArn?: string;
        resourceType?: string;
        restoreTestingPlanArn?: string;
    };
}

/** What the validator did with one event (also its return value, for the logs and the tests). */
export interface ValidationOutcome {
    restoreJobId?: string;
    /**
     * SUCCESSFUL / FAILED: reported to AWS Backup. RESTORE_FAILED: the restore itself failed, so
     * there was nothing to validate (logged as a failure). IGNORED: not this stack's restore test.
     */
    status: "SUCCESSFUL" | "FAILED" | "RESTORE_FAILED" | "IGNORED";
    message: string;
}

/** AWS Backup's cap on a validation message is not documented; the console shows about this much. */
export const MAX_MESSAGE_LENGTH = 1000;
