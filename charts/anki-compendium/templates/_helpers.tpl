{{/*
Chart name, truncated to the 63 characters a label value allows.
*/}}
{{- define "anki-compendium.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: release-chart, or the release name alone when it already holds the chart name.
*/}}
{{- define "anki-compendium.fullname" -}}
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

{{/*
Name of one component's resources: <fullname>-<component>.
Call with (dict "root" $ "component" "backend").
*/}}
{{- define "anki-compendium.componentName" -}}
{{- printf "%s-%s" (include "anki-compendium.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "anki-compendium.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels of every resource.
*/}}
{{- define "anki-compendium.labels" -}}
helm.sh/chart: {{ include "anki-compendium.chart" . }}
{{ include "anki-compendium.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: anki-compendium
{{- range $key, $value := .Values.commonLabels }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{- define "anki-compendium.selectorLabels" -}}
app.kubernetes.io/name: {{ include "anki-compendium.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of one component. Call with (dict "root" $ "component" "backend").
*/}}
{{- define "anki-compendium.componentLabels" -}}
{{ include "anki-compendium.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "anki-compendium.componentSelectorLabels" -}}
{{ include "anki-compendium.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "anki-compendium.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "anki-compendium.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference. Call with (dict "root" $ "image" .Values.backend.image).
The global registry is only prefixed to repositories without a registry host of their own.
*/}}
{{- define "anki-compendium.image" -}}
{{- $repo := .image.repository }}
{{- $first := first (splitList "/" $repo) }}
{{- $hasRegistry := and (gt (len (splitList "/" $repo)) 1) (or (contains "." $first) (contains ":" $first)) }}
{{- with .root.Values.global.imageRegistry }}
{{- if not $hasRegistry }}
{{- $repo = printf "%s/%s" (trimSuffix "/" .) $repo }}
{{- end }}
{{- end }}
{{- printf "%s:%s" $repo (default .root.Chart.AppVersion .image.tag | toString) }}
{{- end }}

{{- define "anki-compendium.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Name of the Secret holding every sensitive key. Production must bring its own.
*/}}
{{- define "anki-compendium.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else if eq .Values.global.environment "prod" }}
{{- required "secrets.existingSecret is required when global.environment is prod" .Values.secrets.existingSecret }}
{{- else }}
{{- include "anki-compendium.componentName" (dict "root" . "component" "secrets") }}
{{- end }}
{{- end }}

{{/*
Public base URL: https when the Ingress terminates TLS, http otherwise (a dev cluster).
*/}}
{{- define "anki-compendium.publicUrl" -}}
{{- printf "%s://%s" (ternary "https" "http" (and .Values.ingress.enabled (ne .Values.ingress.tlsSecretName ""))) .Values.global.domain }}
{{- end }}

{{- define "anki-compendium.configMapName" -}}
{{- include "anki-compendium.componentName" (dict "root" . "component" "config") }}
{{- end }}

{{/*
Database coordinates, in-cluster or external.
*/}}
{{- define "anki-compendium.databaseHost" -}}
{{- if .Values.postgresql.enabled }}
{{- include "anki-compendium.componentName" (dict "root" . "component" "postgresql") }}
{{- else }}
{{- required "externalDatabase.host is required when postgresql.enabled is false" .Values.externalDatabase.host }}
{{- end }}
{{- end }}

{{- define "anki-compendium.databasePort" -}}
{{- if .Values.postgresql.enabled }}{{ .Values.postgresql.service.port }}{{ else }}{{ .Values.externalDatabase.port }}{{ end }}
{{- end }}

{{- define "anki-compendium.databaseName" -}}
{{- if .Values.postgresql.enabled }}{{ .Values.postgresql.database }}{{ else }}{{ .Values.externalDatabase.database }}{{ end }}
{{- end }}

{{- define "anki-compendium.databaseUser" -}}
{{- if .Values.postgresql.enabled }}{{ .Values.postgresql.username }}{{ else }}{{ .Values.externalDatabase.username }}{{ end }}
{{- end }}

{{- define "anki-compendium.databaseSslMode" -}}
{{- if .Values.postgresql.enabled }}disable{{ else }}{{ .Values.externalDatabase.sslMode }}{{ end }}
{{- end }}

{{- define "anki-compendium.rabbitmqHost" -}}
{{- if .Values.rabbitmq.enabled }}
{{- include "anki-compendium.componentName" (dict "root" . "component" "rabbitmq") }}
{{- else }}
{{- required "externalRabbitmq.host is required when rabbitmq.enabled is false" .Values.externalRabbitmq.host }}
{{- end }}
{{- end }}

{{- define "anki-compendium.rabbitmqPort" -}}
{{- if .Values.rabbitmq.enabled }}{{ .Values.rabbitmq.service.amqpPort }}{{ else }}{{ .Values.externalRabbitmq.port }}{{ end }}
{{- end }}

{{- define "anki-compendium.rabbitmqUser" -}}
{{- if .Values.rabbitmq.enabled }}{{ .Values.rabbitmq.username }}{{ else }}{{ .Values.externalRabbitmq.username }}{{ end }}
{{- end }}

{{- define "anki-compendium.rabbitmqVhost" -}}
{{- if .Values.rabbitmq.enabled }}{{ .Values.rabbitmq.vhost }}{{ else }}{{ .Values.externalRabbitmq.vhost }}{{ end }}
{{- end }}

{{- define "anki-compendium.s3Endpoint" -}}
{{- if .Values.minio.enabled }}
{{- printf "http://%s:%v" (include "anki-compendium.componentName" (dict "root" . "component" "minio")) .Values.minio.service.apiPort }}
{{- else }}
{{- required "externalS3.endpoint is required when minio.enabled is false" .Values.externalS3.endpoint }}
{{- end }}
{{- end }}


{{/*
Hook events of the migration Job. pre-install only works when everything the Job needs
exists before the release: an external database and a Secret created outside the chart.
*/}}
{{- define "anki-compendium.migrationHookEvents" -}}
{{- if .Values.migrations.hookEvents }}
{{- .Values.migrations.hookEvents }}
{{- else if and (not .Values.postgresql.enabled) .Values.secrets.existingSecret }}
{{- "pre-install,pre-upgrade" }}
{{- else }}
{{- "post-install,pre-upgrade" }}
{{- end }}
{{- end }}

{{/*
HorizontalPodAutoscaler API version from the target cluster's Kubernetes version:
autoscaling/v2 is GA from 1.23; 1.21 and 1.22 (the oldest the chart supports) serve v2beta2.
*/}}
{{- define "anki-compendium.hpa.apiVersion" -}}
{{- if semverCompare ">=1.23-0" .Capabilities.KubeVersion.Version }}autoscaling/v2{{ else }}autoscaling/v2beta2{{ end }}
{{- end }}

{{/*
Worker queue scaler: "keda", "external" or "" (CPU only / no autoscaling).
*/}}
{{- define "anki-compendium.workerScaler" -}}
{{- $a := .Values.worker.autoscaling }}
{{- if and $a.enabled $a.queueScaling.enabled }}
{{- $provider := $a.queueScaling.provider }}
{{- if eq $provider "auto" }}
{{- if .Capabilities.APIVersions.Has "keda.sh/v1alpha1/ScaledObject" }}keda{{ else }}external{{ end }}
{{- else }}
{{- $provider }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Environment shared by the backend, the workers and the migration Job.
*/}}
{{- define "anki-compendium.appEnv" -}}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "anki-compendium.secretName" . }}
      key: database-password
- name: DATABASE_URL
  value: {{ printf "postgresql+asyncpg://$(DATABASE_USER):$(DATABASE_PASSWORD)@$(DATABASE_HOST):$(DATABASE_PORT)/$(DATABASE_NAME)" | quote }}
- name: RABBITMQ_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "anki-compendium.secretName" . }}
      key: rabbitmq-password
- name: CELERY_BROKER_URL
  value: {{ printf "amqp://$(RABBITMQ_USER):$(RABBITMQ_PASSWORD)@$(RABBITMQ_HOST):$(RABBITMQ_PORT)/%s" (.Values.rabbitmq.enabled | ternary .Values.rabbitmq.vhost .Values.externalRabbitmq.vhost | trimPrefix "/" | urlquery) | quote }}
{{- if not .Values.minio.enabled }}
- name: S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "anki-compendium.secretName" . }}
      key: s3-access-key
{{- end }}
- name: S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "anki-compendium.secretName" . }}
      key: s3-secret-key
- name: SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "anki-compendium.secretName" . }}
      key: app-secret-key
- name: OAUTH_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "anki-compendium.secretName" . }}
      key: oauth-client-secret
- name: GEMINI_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "anki-compendium.secretName" . }}
      key: gemini-api-key
      optional: true
- name: STRIPE_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "anki-compendium.secretName" . }}
      key: stripe-secret-key
      optional: true
- name: STRIPE_WEBHOOK_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "anki-compendium.secretName" . }}
      key: stripe-webhook-secret
      optional: true
{{- end }}

{{/*
Pod annotations: the config checksums that roll pods on a change, then the user's (through tpl).
*/}}
{{- define "anki-compendium.podAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- range $key, $value := .Values.podAnnotations }}
{{ $key }}: {{ tpl (toString $value) $ | quote }}
{{- end }}
{{- end }}
