/**
 * The fixed handler made safe for SnapStart: CRaC hooks that empty the pool before the snapshot and resume it, with
 * fresh credentials, in every restored copy. Depends on {@code fixed}'s approach, {@code http} and shared-db.
 */
package dev.lambdalab.functions.snapstart;
