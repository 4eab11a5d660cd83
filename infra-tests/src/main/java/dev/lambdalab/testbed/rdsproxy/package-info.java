/**
 * The RDS Proxy emulator: PostgreSQL's wire protocol on Netty, transaction multiplexing, pinning by AWS's rules,
 * its texts, limits, IAM authentication and CloudWatch metrics (docs/proxy.md's fidelity table). Speaks the
 * protocol through {@code pgwire}'s constants; knows nothing of the emulator or the scenarios.
 */
package dev.lambdalab.testbed.rdsproxy;
