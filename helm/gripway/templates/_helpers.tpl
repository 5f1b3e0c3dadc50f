{{/* The chart's name. */}}
{{- define "gripway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's resource name prefix. */}}
{{- define "gripway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels of every resource but the component. */}}
{{- define "gripway.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "gripway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels of the proxy's resources. */}}
{{- define "gripway.labels" -}}
{{ include "gripway.commonLabels" . }}
app.kubernetes.io/component: proxy
{{- end }}

{{- define "gripway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gripway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: proxy
{{- end }}

{{/* The Redis URL the bus uses, or empty for the in-memory bus. */}}
{{- define "gripway.redisUrl" -}}
{{- if .Values.redis.externalUrl }}
{{- .Values.redis.externalUrl }}
{{- else if eq .Values.redis.mode "cluster" }}
{{- if not .Values.redis.cluster.nodes }}
{{- fail "redis.mode cluster needs redis.cluster.nodes (seed host:port of an external Redis Cluster) or redis.externalUrl" }}
{{- end }}
{{- $seeds := list }}
{{- range .Values.redis.cluster.nodes }}{{ $seeds = append $seeds (printf "redis://%s" .) }}{{ end }}
{{- join "," $seeds }}
{{- else if eq .Values.redis.mode "sentinel" }}
{{- if not .Values.redis.sentinel.nodes }}
{{- fail "redis.mode sentinel needs redis.sentinel.nodes (host:port of the Sentinels) or redis.externalUrl" }}
{{- end }}
{{- printf "redis-sentinel://%s#%s" (join "," .Values.redis.sentinel.nodes) .Values.redis.sentinel.masterName }}
{{- else if .Values.redis.enabled }}
{{- printf "redis://%s-redis:6379" (include "gripway.fullname" .) }}
{{- end }}
{{- end }}

{{/* gripway.bus.type for the Redis bus: redis-cluster for an external Redis Cluster, else redis. */}}
{{- define "gripway.busType" -}}
{{- if eq .Values.redis.mode "cluster" }}redis-cluster{{ else }}redis{{ end }}
{{- end }}

{{/*
The pod's grace period: the preStop pause, the drain window, the flush timeout and the web servers' graceful
shutdown, plus 5 s for the JVM to exit, so the process always ends before the kubelet's SIGKILL.
*/}}
{{- define "gripway.terminationGracePeriodSeconds" -}}
{{- $drain := add .Values.preStopSleepSeconds .Values.drain.windowSeconds .Values.drain.flushTimeoutSeconds }}
{{- if .Values.terminationGracePeriodSeconds }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $drain) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed preStopSleepSeconds + drain.windowSeconds + drain.flushTimeoutSeconds (%v)" .Values.terminationGracePeriodSeconds $drain) }}
{{- end }}
{{- .Values.terminationGracePeriodSeconds }}
{{- else }}
{{- add $drain .Values.shutdownPhaseTimeoutSeconds 5 }}
{{- end }}
{{- end }}

{{/*
The gripway.* settings that belong in the Secret (publishers, Grip-Sig key), as YAML; empty when there are none.
*/}}
{{- define "gripway.securityConfig" -}}
{{- $gripway := dict }}
{{- with .Values.security.publishers }}
{{- $_ := set $gripway "publish" (dict "auth" (dict "publishers" .)) }}
{{- end }}
{{- with .Values.security.signingKey }}
{{- $_ := set $gripway "signing" (dict "key" .) }}
{{- end }}
{{- if $gripway }}
{{- toYaml (dict "gripway" $gripway) }}
{{- end }}
{{- end }}

{{/*
Whether the pods get credentials from a Secret (rendered by the chart, or an existing one).
*/}}
{{- define "gripway.hasSecurity" -}}
{{- if or .Values.security.existingSecret (include "gripway.securityConfig" .) }}true{{ end }}
{{- end }}
