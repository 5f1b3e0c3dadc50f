package io.gripway.test;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. The build runs tests with
 * {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked, and Netty reports a buffer that was
 * garbage-collected without being released through its logger ({@link LeakReportAppender} listens).
 *
 * <p>
 * Registered for every test class through {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and
 * {@code junit.jupiter.extensions.autodetection.enabled} in {@code junit-platform.properties}, so no class can forget
 * it. Being auto-detected, it is registered before any other extension, so its {@code afterAll} runs after every
 * {@code @AfterAll} method and every other extension has closed the class's servers.
 *
 * <h3>Attribution</h3> Netty reports a leak only when the lost buffer is collected and a tracked allocation happens
 * afterwards. So after each class this collects garbage and allocates tracked buffers until nothing more is reported,
 * and the reports it takes are that class's. A report that still arrives between two classes (after one class's check
 * and before the next one starts) fails the next class, with a message naming the class that ran before it. Test
 * classes run one after another in this build; with parallel classes, attribution would be to whichever class checks
 * first.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterAllCallback {

	private static volatile @Nullable String lastChecked;

	@Override
	public void beforeAll(ExtensionContext context) {
		if (isNested(context)) {
			return;
		}
		List<String> late = drain();
		if (!late.isEmpty()) {
			String previous = lastChecked;
			String before = (previous != null) ? previous : "(no class: reported before the first one)";
			throw new AssertionError("Netty reported " + late.size() + " leaked buffer(s) after " + before
					+ " was checked and before " + context.getRequiredTestClass().getName()
					+ " started; the leak is most likely " + before + "'s:\n" + late.get(0));
		}
	}

	@Override
	public void afterAll(ExtensionContext context) throws InterruptedException {
		if (isNested(context)) {
			return; // the enclosing class's check covers its nested classes
		}
		lastChecked = context.getRequiredTestClass().getName();
		List<String> reports = new ArrayList<>(drain());
		for (int round = 0; round < 3; round++) {
			provokeReports();
			List<String> more = drain();
			if (more.isEmpty() && round > 0) {
				break;
			}
			reports.addAll(more);
		}
		if (!reports.isEmpty()) {
			throw new AssertionError("Netty reported " + reports.size() + " leaked buffer(s) while "
					+ context.getRequiredTestClass().getName() + " ran:\n" + reports.get(0));
		}
	}

	private static boolean isNested(ExtensionContext context) {
		return context.getParent().flatMap(ExtensionContext::getTestClass).isPresent();
	}

	/** Collects lost buffers, then allocates tracked ones: that is when Netty reports what it collected. */
	private static void provokeReports() throws InterruptedException {
		System.gc();
		Thread.sleep(50); // reference processing runs on its own thread
		for (int i = 0; i < 100; i++) {
			ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(64);
			pooled.release();
			ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(64);
			unpooled.release();
		}
	}

	private static List<String> drain() {
		List<String> taken = new ArrayList<>();
		while (!LeakReportAppender.reports.isEmpty()) {
			taken.add(LeakReportAppender.reports.remove(0));
		}
		return taken;
	}

}
