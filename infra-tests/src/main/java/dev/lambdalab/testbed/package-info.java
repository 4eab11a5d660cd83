/**
 * The test bed itself ({@code TestBed}): a PostgreSQL with the lab's roles, the proxies in front of it, and the
 * project's functions in the Lambda emulator, with the enums that name variants, targets and execution models.
 * Everything a run needs starts here; {@code cli} sits on top and nothing here depends on it.
 */
package dev.lambdalab.testbed;
