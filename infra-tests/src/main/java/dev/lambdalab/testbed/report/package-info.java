/**
 * The reports of a run: the printed table, the JSON of docs/report-schema.md and a self-contained HTML page. Reads
 * results only.
 */
package dev.lambdalab.testbed.report;
