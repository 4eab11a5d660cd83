package dev.lambdalab.testbed.bench.noop;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

/** Returns its event: what the emulator's own cost per invocation is measured with. */
public final class NoOpHandler implements RequestHandler<Object, Object> {

    @Override
    public Object handleRequest(Object event, Context context) {
        return event;
    }
}
