package dev.lambdalab.testbed.lambda;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Request ids as Lambda gives them: random (version 4) UUIDs. */
final class RequestIds {

    private RequestIds() {
    }

    /** A random (version 4) UUID from ThreadLocalRandom: unique enough for request ids, no SecureRandom lock. */
    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
