/** Plain HTTP values shared by the GRIP instruction and publish models. No Spring, no Reactor, no Netty. */
@NullMarked
package io.gripway.http;

import org.jspecify.annotations.NullMarked;
