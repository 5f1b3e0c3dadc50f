package io.gripway.publish.endpoint;

import java.util.List;

import io.gripway.publish.auth.PublisherAuthenticationManagers;
import io.gripway.publish.auth.PublisherRegistration;
import reactor.core.publisher.Mono;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * Assembles the publish port's {@link HttpHandler}: {@link PublishHandler#router()} and, when publishers are
 * configured, a Spring Security filter chain of its own in front of it.
 *
 * <p>
 * The chain is built here with {@link ServerHttpSecurity#http()} rather than declared as a bean, because the
 * gateway's port must stay unauthenticated: a {@code SecurityWebFilterChain} bean would be picked up by the main
 * WebFlux handler. Sessions, the request cache, CSRF, form login and the security response headers are off: a
 * publisher is a program that authenticates every request, and Pushpin's replies stay byte for byte as they were.
 */
public final class PublishApi {

	private PublishApi() {
	}

	/**
	 * @param handler the endpoint
	 * @param publishers who may publish; empty means anyone who can reach the port (Pushpin's behaviour)
	 * @throws IllegalArgumentException when a publisher's credential cannot be used
	 */
	public static HttpHandler httpHandler(PublishHandler handler, List<PublisherRegistration> publishers) {
		HandlerStrategies strategies = HandlerStrategies.withDefaults();
		WebHttpHandlerBuilder builder = WebHttpHandlerBuilder
			.webHandler(RouterFunctions.toWebHandler(handler.router(), strategies))
			.exceptionHandlers((handlers) -> handlers.addAll(strategies.exceptionHandlers()));
		if (!publishers.isEmpty()) {
			builder.filter(security(new PublisherAuthenticationManagers(publishers), handler.listener()));
		}
		return builder.build();
	}

	private static WebFilter security(PublisherAuthenticationManagers managers, PublishListener listener) {
		PublishChallenge challenge = new PublishChallenge(managers.hasBearer(), managers.hasBasic(), listener);
		ServerHttpSecurity http = ServerHttpSecurity.http()
			.authorizeExchange((exchanges) -> exchanges.anyExchange().authenticated())
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.anonymous(ServerHttpSecurity.AnonymousSpec::disable)
			.headers(ServerHttpSecurity.HeaderSpec::disable)
			.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(challenge));
		if (managers.hasBearer()) {
			http.oauth2ResourceServer((server) -> server
				.authenticationManagerResolver((exchange) -> Mono.just(managers.bearer()))
				.authenticationEntryPoint(challenge));
		}
		if (managers.hasBasic()) {
			http.httpBasic((basic) -> basic.authenticationManager(managers.basic()).authenticationEntryPoint(challenge));
		}
		return new WebFilterChainProxy(http.build());
	}

}
