package io.gripway.test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. The build runs tests with
 * {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked, and Netty reports a buffer that was
 * garbage-collected without being released through its logger ({@link LeakReportAppender} listens). At the end this
 * collects garbage and allocates tracked buffers, which is when Netty notices and reports lost ones.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterAllCallback {

	@Override
	public void beforeAll(ExtensionContext context) {
		LeakReportAppender.reports.clear();
	}

	@Override
	public void afterAll(ExtensionContext context) throws InterruptedException {
		for (int round = 0; round < 3; round++) {
			System.gc();
			Thread.sleep(100);
			for (int i = 0; i < 100; i++) {
				ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(64);
				pooled.release();
				ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(64);
				unpooled.release();
			}
		}
		if (!LeakReportAppender.reports.isEmpty()) {
			throw new AssertionError("Netty reported " + LeakReportAppender.reports.size() + " leaked buffer(s):\n"
					+ LeakReportAppender.reports.get(0));
		}
	}

}
