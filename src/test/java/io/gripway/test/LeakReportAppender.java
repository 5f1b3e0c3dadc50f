package io.gripway.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * Collects Netty's leak reports (attached to Netty's leak detector logger in {@code logback-test.xml}, which Spring
 * Boot re-applies whenever an application starts, so no report is missed).
 */
public final class LeakReportAppender extends AppenderBase<ILoggingEvent> {

	static final List<String> reports = new CopyOnWriteArrayList<>();

	@Override
	protected void append(ILoggingEvent event) {
		if (event.getFormattedMessage().contains("LEAK")) {
			reports.add(event.getFormattedMessage());
		}
	}

}
