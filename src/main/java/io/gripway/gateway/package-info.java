/**
 * The Spring Cloud Gateway glue: header hygiene toward the origin, the filter that recognises GRIP instructions in an
 * origin's response and hands the exchange to a hold, and the mapping of origin failures to 502/504.
 */
@NullMarked
package io.gripway.gateway;

import org.jspecify.annotations.NullMarked;
