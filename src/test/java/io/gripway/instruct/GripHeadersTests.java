package io.gripway.instruct;

import java.util.List;

import io.gripway.http.HeaderField;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GripHeadersTests {

	@Test
	void gripHeaderPrefixIgnoresCase() {
		assertThat(GripHeaders.isGripHeader("Grip-Hold")).isTrue();
		assertThat(GripHeaders.isGripHeader("grip-channel")).isTrue();
		assertThat(GripHeaders.isGripHeader("GRIP-X")).isTrue();
		assertThat(GripHeaders.isGripHeader("Gripe")).isFalse();
		assertThat(GripHeaders.isGripHeader("X-Grip-Hold")).isFalse();
		assertThat(GripHeaders.isGripHeader("Grip")).isFalse();
	}

	@Test
	void anyGripHeaderMakesAGripResponse() {
		assertThat(GripHeaders.isGripResponse(List.of(new HeaderField("grip-status", "304")))).isTrue();
		assertThat(GripHeaders.isGripResponse(List.of(new HeaderField("Grip-Channel", "")))).isTrue();
	}

	@Test
	void instructContentTypeMakesAGripResponseWhateverItsParametersAndCase() {
		assertThat(GripHeaders.isGripResponse(List.of(new HeaderField("Content-Type", "application/grip-instruct"))))
			.isTrue();
		assertThat(GripHeaders
			.isGripResponse(List.of(new HeaderField("content-type", "Application/GRIP-Instruct ; charset=utf-8"))))
			.isTrue();
	}

	@Test
	void plainResponseIsNotAGripResponse() {
		assertThat(GripHeaders.isGripResponse(List.of(new HeaderField("Content-Type", "application/json"),
				new HeaderField("X-Grip", "1")))).isFalse();
		assertThat(GripHeaders.isGripResponse(List.of())).isFalse();
	}

	@Test
	void instructContentTypeMustBeTheWholeMediaType() {
		assertThat(GripHeaders
			.isGripResponse(List.of(new HeaderField("Content-Type", "application/grip-instruct-v2")))).isFalse();
	}

}
