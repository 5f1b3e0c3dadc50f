/**
 * Applications sharing one Gripway tier ({@code gripway.apps}): each has its own channel namespace, so two
 * applications' channels of the same name never meet, and its own Grip-Sig. {@link io.gripway.app.ChannelNamespace}
 * is pure; the gateway finds an exchange's application from its route.
 */
@NullMarked
package io.gripway.app;

import org.jspecify.annotations.NullMarked;
