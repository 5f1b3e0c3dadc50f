package io.gripway.websocket;

import java.time.Duration;
import java.util.List;

import io.gripway.http.Content;
import io.gripway.instruct.KeepAliveMode;
import io.gripway.publish.WsMessageType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** {@code c:} control messages, as js-grip's {@code createWebSocketControlMessage} writes them. */
class ControlMessagesTests {

	@Test
	void subscribeWithArgsBeforeType() {
		assertThat(ControlMessages.parse("{\"channel\":\"test\",\"type\":\"subscribe\"}"))
			.isEqualTo(new ControlMessage.Subscribe("test", List.of()));
		assertThat(ControlMessages.parse("{\"type\":\"subscribe\",\"channel\":\"t\",\"filters\":[\"skip-self\"]}"))
			.isEqualTo(new ControlMessage.Subscribe("t", List.of("skip-self")));
	}

	@Test
	void otherTypes() {
		assertThat(ControlMessages.parse("{\"type\":\"unsubscribe\",\"channel\":\"t\"}"))
			.isEqualTo(new ControlMessage.Unsubscribe("t"));
		assertThat(ControlMessages.parse("{\"type\":\"detach\"}")).isEqualTo(new ControlMessage.Detach());
		assertThat(ControlMessages.parse("{\"type\":\"set-meta\",\"name\":\"user\",\"value\":\"alice\"}"))
			.isEqualTo(new ControlMessage.SetMeta("user", "alice"));
		assertThat(ControlMessages.parse("{\"type\":\"set-meta\",\"name\":\"user\"}"))
			.isEqualTo(new ControlMessage.SetMeta("user", null));
		assertThat(ControlMessages.parse("{\"type\":\"session\",\"id\":\"x\"}"))
			.isEqualTo(new ControlMessage.Unsupported("session"));
	}

	@Test
	void keepAliveDefaultsAndFields() {
		assertThat(ControlMessages.parse("{\"type\":\"keep-alive\",\"content\":\"ka\"}")).isEqualTo(
				new ControlMessage.KeepAlive(Content.utf8("ka"), WsMessageType.TEXT, Duration.ofSeconds(55),
						KeepAliveMode.IDLE));
		assertThat(ControlMessages.parse(
				"{\"type\":\"keep-alive\",\"content-bin\":\"AAE=\",\"timeout\":5,\"mode\":\"interval\"}"))
			.isEqualTo(new ControlMessage.KeepAlive(Content.of(new byte[] { 0, 1 }), WsMessageType.BINARY,
					Duration.ofSeconds(5), KeepAliveMode.INTERVAL));
		assertThat(((ControlMessage.KeepAlive) ControlMessages.parse("{\"type\":\"keep-alive\"}")).content()).isNull();
	}

	@Test
	void sendDelayedAndFlushDelayed() {
		assertThat(ControlMessages.parse("{\"type\":\"send-delayed\",\"content\":\"later\"}"))
			.isEqualTo(new ControlMessage.SendDelayed(Content.utf8("later"), WsMessageType.TEXT, Duration.ofSeconds(1)));
		assertThat(ControlMessages.parse(
				"{\"type\":\"send-delayed\",\"content\":\"p\",\"message-type\":\"ping\",\"timeout\":3}"))
			.isEqualTo(new ControlMessage.SendDelayed(Content.utf8("p"), WsMessageType.PING, Duration.ofSeconds(3)));
		assertThat(ControlMessages.parse("{\"type\":\"flush-delayed\"}")).isEqualTo(new ControlMessage.FlushDelayed());
		assertThatExceptionOfType(InvalidControlMessageException.class)
			.isThrownBy(() -> ControlMessages.parse("{\"type\":\"send-delayed\"}"))
			.withMessageContaining("needs 'content'");
	}

	@Test
	void invalidMessagesNameTheRule() {
		assertThatExceptionOfType(InvalidControlMessageException.class).isThrownBy(() -> ControlMessages.parse("{"))
			.withMessageContaining("not JSON");
		assertThatExceptionOfType(InvalidControlMessageException.class)
			.isThrownBy(() -> ControlMessages.parse("{\"type\":\"subscribe\",\"channel\":\"\"}"))
			.withMessage("subscribe: 'channel' must not be empty");
		assertThatExceptionOfType(InvalidControlMessageException.class)
			.isThrownBy(() -> ControlMessages.parse("{\"type\":\"subscribe\",\"channel\":\"t\",\"filters\":"
					+ "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}"))
			.withMessageContaining("at most 5");
		assertThatExceptionOfType(InvalidControlMessageException.class)
			.isThrownBy(() -> ControlMessages.parse("{\"type\":\"keep-alive\",\"content\":\"x\",\"mode\":\"often\"}"))
			.withMessageContaining("'mode'");
	}

}
