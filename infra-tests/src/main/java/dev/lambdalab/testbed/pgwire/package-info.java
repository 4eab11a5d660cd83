/**
 * PostgreSQL's wire protocol (version 3, chapter 55 of the PostgreSQL manual), named once: message types in each
 * direction, ReadyForQuery's transaction status, the fields of an ErrorResponse. The proxies and their tests use these
 * constants and never the bare bytes. Depends on nothing else of the test bed.
 */
package dev.lambdalab.testbed.pgwire;
