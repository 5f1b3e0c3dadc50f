/** End-to-end tests in a real headless Chromium: the demo page, auto cross-origin, EventSource, WebSocket. */
@NullMarked
package io.gripway.browser;

import org.jspecify.annotations.NullMarked;
