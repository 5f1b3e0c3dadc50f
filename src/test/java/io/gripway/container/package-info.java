/**
 * The container image, the compose cluster and the Helm chart's container settings, run for real with podman:
 * {@link io.gripway.container.BaseImage} makes (and caches) a Debian base, {@link io.gripway.container.GripwayImage}
 * builds the Dockerfile's runtime stage on it, the tests run it as the chart and the compose file say.
 */
@NullMarked
package io.gripway.container;

import org.jspecify.annotations.NullMarked;
