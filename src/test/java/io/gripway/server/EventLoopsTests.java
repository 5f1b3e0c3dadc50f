package io.gripway.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EventLoopsTests {

	private String saved;

	@BeforeEach
	void clearProperty() {
		this.saved = System.clearProperty(EventLoops.PROPERTY);
	}

	@AfterEach
	void restoreProperty() {
		if (this.saved == null) {
			System.clearProperty(EventLoops.PROPERTY);
		}
		else {
			System.setProperty(EventLoops.PROPERTY, this.saved);
		}
	}

	@Test
	void oneLoopPerAvailableProcessorByDefault() {
		EventLoops.applyDefault(2);
		assertThat(System.getProperty("reactor.netty.ioWorkerCount")).isEqualTo("2");
	}

	@Test
	void aCountGivenOnTheCommandLineIsKept() {
		System.setProperty("reactor.netty.ioWorkerCount", "6");
		EventLoops.applyDefault(2);
		assertThat(System.getProperty("reactor.netty.ioWorkerCount")).isEqualTo("6");
	}

	@Test
	void neverFewerThanOneLoop() {
		EventLoops.applyDefault(0);
		assertThat(System.getProperty("reactor.netty.ioWorkerCount")).isEqualTo("1");
	}

}
