package dev.lambdalab.testbed.aws;

import java.net.UnknownHostException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;

/** The AWS tier could not run: a one-line reason, naming what to fix, the SDK's exception chained. */
public final class AwsExperimentException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AwsExperimentException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Turns an SDK failure into the sentence a user can act on. */
    public static AwsExperimentException from(SdkException e, String stack, String region) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof CloudFormationException && message.contains("does not exist")) {
            return new AwsExperimentException("stack " + stack + " does not exist in region " + region
                    + " (deploy template.yaml with sam deploy, or pass --region)", e);
        }
        if (e instanceof SdkClientException) {
            if (message.contains("Unable to load credentials") || message.contains("credentials")) {
                return new AwsExperimentException("no AWS credentials found: configure a profile (aws configure,"
                        + " AWS_PROFILE) or the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables", e);
            }
            if (message.contains("Unable to load region")) {
                return new AwsExperimentException("no AWS region: pass --region or set AWS_REGION", e);
            }
            if (hasCause(e, UnknownHostException.class)) {
                return new AwsExperimentException("could not reach AWS in region " + region
                        + ": is the region name right, and is there a network?", e);
            }
        }
        return new AwsExperimentException(e.getClass().getSimpleName() + ": " + message, e);
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
