package io.gripway.websocket;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Reading an origin's answer: bounded, and each subscription with a buffer of its own. */
class OriginPosterTests {

	static final OriginPoster poster = new OriginPoster(HttpClient.create(), null, 8);

	static Flux<byte[]> chunks(String... texts) {
		return Flux.just(texts).map(text -> text.getBytes(StandardCharsets.US_ASCII));
	}

	@Test
	void eachSubscriptionReadsTheAnswerIntoABufferOfItsOwn() {
		Mono<byte[]> read = poster.read(chunks("OPEN", "\r\n"));
		assertThat(read.block()).asString(StandardCharsets.US_ASCII).isEqualTo("OPEN\r\n");
		// a retry subscribes again: it must not see the first read's bytes
		assertThat(read.block()).asString(StandardCharsets.US_ASCII).isEqualTo("OPEN\r\n");
	}

	@Test
	void anAnswerLargerThanTheLimitFails() {
		assertThatExceptionOfType(OriginPoster.OriginBodyTooLarge.class)
			.isThrownBy(() -> poster.read(chunks("OPEN\r\n", "TEXT")).block());
		assertThat(poster.read(Flux.empty()).block()).isEmpty();
	}

}
