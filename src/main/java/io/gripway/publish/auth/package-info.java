/**
 * Who may publish: the credentials GRIP client libraries already send (a JWT with {@code iss} and {@code exp}, a
 * literal bearer token, Basic), checked with Spring Security and Nimbus, and the channels each publisher may reach.
 * Knows nothing of the publish endpoint; the endpoint asks {@link io.gripway.publish.auth.PublisherIdentity} what it
 * may do.
 */
@NullMarked
package io.gripway.publish.auth;

import org.jspecify.annotations.NullMarked;
