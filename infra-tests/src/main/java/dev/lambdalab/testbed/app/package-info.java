/**
 * Another team's function, run as its template describes it ({@code testbed invoke}, {@code serve -t}): its
 * deployment package, the stand-ins for the resources it names (database, proxy, secret) and how its variables are
 * wired to them. May not depend on {@code cli}.
 */
package dev.lambdalab.testbed.app;
