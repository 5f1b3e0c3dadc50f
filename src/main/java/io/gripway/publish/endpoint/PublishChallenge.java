package io.gripway.publish.endpoint;

import java.util.ArrayList;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.web.server.ServerWebExchange;

/**
 * The publish port's {@code 401}: a {@code WWW-Authenticate} challenge for each scheme some publisher uses
 * ({@code Bearer} with RFC 6750's {@code error} when a token was refused, {@code Basic}), and Pushpin's one-line body.
 * The reason names what was wrong, never what was presented.
 */
final class PublishChallenge implements ServerAuthenticationEntryPoint {

	static final String REALM = "gripway";

	private final boolean bearer;

	private final boolean basic;

	private final PublishListener listener;

	PublishChallenge(boolean bearer, boolean basic, PublishListener listener) {
		this.bearer = bearer;
		this.basic = basic;
		this.listener = listener;
	}

	@Override
	public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException ex) {
		this.listener.rejected("unauthorized");
		String reason;
		String bearerError = null;
		if (ex instanceof OAuth2AuthenticationException oauth) {
			bearerError = oauth.getError().getErrorCode();
			reason = (oauth.getError().getDescription() != null) ? oauth.getError().getDescription() : bearerError;
		}
		else if (ex instanceof BadCredentialsException) {
			reason = "invalid username or password";
		}
		else {
			reason = "credentials required";
		}
		List<String> challenges = new ArrayList<>(2);
		if (this.bearer) {
			challenges.add("Bearer realm=\"" + REALM + "\"" + ((bearerError != null)
					? ", error=\"" + quotable(bearerError) + "\", error_description=\"" + quotable(reason) + "\"" : ""));
		}
		if (this.basic) {
			challenges.add("Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
		}
		exchange.getResponse().getHeaders().put(HttpHeaders.WWW_AUTHENTICATE, challenges);
		return PublishReplies.write(exchange.getResponse(), 401, "Unauthorized: " + reason + ".",
				PublishReplies.acceptsJson(exchange.getRequest().getHeaders()));
	}

	/** Fit for a quoted-string: printable ASCII without quote or backslash. */
	private static String quotable(String text) {
		StringBuilder out = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			out.append((c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?');
		}
		return out.toString();
	}

}
