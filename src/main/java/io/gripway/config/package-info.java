/** Spring configuration: the {@code gripway.*} properties and the beans that wire the packages together. */
@NullMarked
package io.gripway.config;

import org.jspecify.annotations.NullMarked;
