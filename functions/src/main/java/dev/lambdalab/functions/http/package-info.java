/**
 * The HTTP side every handler shares: reading API Gateway's event, the probe query, and the 200, 400 and 503
 * answers with the classified cause. Knows no pool policy: each handler hands it its pool.
 */
package dev.lambdalab.functions.http;
