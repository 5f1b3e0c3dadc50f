/** Grip-Sig: the JWT that tells an origin a request came through Gripway. Pure JDK. */
@NullMarked
package io.gripway.signing;

import org.jspecify.annotations.NullMarked;
