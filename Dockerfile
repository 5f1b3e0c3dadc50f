# syntax=docker/dockerfile:1
# Gripway's container image: built with the Maven wrapper on a JDK, run on a JRE as a non-root user.
#   docker build -t gripway:0.1.0 .
#   docker run --rm -p 7999:7999 -p 5561:5561 -p 8081:8081 gripway:0.1.0 --gripway.origin=http://host:9000
# The base images are build arguments, for a mirror or a locally made base (the container tests build the runtime
# stage on a Debian base they make themselves, since no image registry is reachable there):
#   docker build --build-arg JRE_IMAGE=<a JRE 17 image of your own> -t gripway:0.1.0 .
ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre

FROM ${JDK_IMAGE} AS build
WORKDIR /src
# dependencies first, so a source change does not download them again
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q dependency:go-offline
COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q package -DskipTests \
	&& cp target/gripway-*.jar app.jar \
	&& java -Djarmode=tools -jar app.jar extract --layers --application-filename gripway.jar --destination extracted

# any JRE 17+ base with sh, groupadd and useradd (Debian or Ubuntu based)
FROM ${JRE_IMAGE} AS runtime
RUN groupadd --system --gid 10001 gripway \
	&& useradd --system --uid 10001 --gid gripway --no-create-home --shell /usr/sbin/nologin gripway
WORKDIR /app
# Spring Boot's layers, least to most often changed, so an application change ships one small layer: lib/*.jar and
# gripway.jar, whose manifest puts lib/ on the class path (run with java -jar, no launcher: class data sharing, below,
# only archives classes loaded from jar files on the class path)
COPY --from=build /src/extracted/dependencies/ ./
COPY --from=build /src/extracted/snapshot-dependencies/ ./
COPY --from=build /src/extracted/application/ ./
# JAVA_TOOL_OPTIONS is read by the JVM itself (the Helm chart sets it); JAVA_OPTS is for ad-hoc additions.
# The options are deploy/jvm.options, the configuration the benchmark measures (bench/README.md, "JVM flags"); a
# test (JvmOptionsTests) fails if this line, the Helm values, the compose file or the benchmark drift from it.
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms160m -Xmn24m -Xss256k -XX:MaxRAMPercentage=55 -XX:MaxDirectMemorySize=128m -XX:+ExitOnOutOfMemoryError" \
	JAVA_OPTS=""
# Class data sharing (bench/README.md, "Cold starts"): a training run starts the application context and exits
# (spring.context.exit=onRefresh: no port is opened; the placeholder origin is never called, it puts the origin's route
# in the context), and the JVM writes the classes it loaded to gripway.jsa (~50 MB), which every start then maps
# instead of loading and verifying them again. Made here, by this stage's JVM with the options above and the class
# path the entrypoint uses, because an archive only fits the JVM build and class path that made it; where it does not
# fit, the JVM logs one warning and starts without it.
RUN java -XX:ArchiveClassesAtExit=/app/gripway.jsa -Xlog:cds*=error -Dspring.context.exit=onRefresh \
	-jar /app/gripway.jar --gripway.origin=http://127.0.0.1:9 --logging.level.root=WARN
# numeric, so Kubernetes' runAsNonRoot can verify it without resolving a name
USER 10001:10001
# client traffic, publish API, actuator (health probes, /actuator/prometheus)
EXPOSE 7999 5561 8081
# exec: java is PID 1 and receives SIGTERM itself, which starts Gripway's graceful drain
ENTRYPOINT ["sh", "-c", "exec java -XX:SharedArchiveFile=/app/gripway.jsa $JAVA_OPTS -jar /app/gripway.jar \"$@\"", "--"]
