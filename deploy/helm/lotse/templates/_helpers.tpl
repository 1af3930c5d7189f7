{{/* Name of the chart, or nameOverride. */}}
{{- define "lotse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the release's objects: the release name, with the chart's name unless it has it. */}}
{{- define "lotse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "lotse.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lotse.labels" -}}
helm.sh/chart: {{ include "lotse.chart" . }}
app.kubernetes.io/name: {{ include "lotse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector of the serving instances (the migration Job's pods have component migrate). */}}
{{- define "lotse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lotse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "lotse.migrateSelectorLabels" -}}
app.kubernetes.io/name: {{ include "lotse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: migrate
{{- end -}}

{{/* Name of the CloudNativePG cluster. */}}
{{- define "lotse.cnpgCluster" -}}
{{- printf "%s-db" (include "lotse.fullname" .) | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "lotse.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
The hook phases of the migration Job and what it needs first. Without a bundled database the
Job runs before an install or upgrade changes anything; with the CloudNativePG cluster in the
release, the first install creates the cluster before the Job can reach it.
*/}}
{{- define "lotse.migrateHooks" -}}
{{- if .Values.cnpg.enabled -}}post-install,pre-upgrade{{- else -}}pre-install,pre-upgrade{{- end -}}
{{- end -}}

{{/*
The secret files of one container: a list of {env, secret, key}, from the names in $files.
Call with (dict "root" $ "names" (list ...)). A file whose key is empty is left out.
*/}}
{{- define "lotse.secretFiles" -}}
{{- $root := .root -}}
{{- $envs := dict "databaseURL" "LOTSE_DATABASE_URL" "migrationDatabaseURL" "LOTSE_MIGRATION_DATABASE_URL" "oidcClientSecret" "LOTSE_OIDC_CLIENT_SECRET" "auditSigningKey" "LOTSE_AUDIT_SIGNING_KEY" "smtpPassword" "LOTSE_SMTP_PASSWORD" "databaseReplicaURL" "LOTSE_DATABASE_REPLICA_URL" -}}
{{- $out := list -}}
{{- range $name := .names -}}
{{- $f := get $root.Values.secrets.files $name -}}
{{- if not $f -}}
{{- fail (printf "secrets.files.%s is missing" $name) -}}
{{- end -}}
{{- $secret := default $root.Values.secrets.existingSecret $f.secret -}}
{{- $key := $f.key -}}
{{- if and (eq $name "migrationDatabaseURL") $root.Values.cnpg.enabled (not $f.secret) -}}
{{- $secret = printf "%s-app" (include "lotse.cnpgCluster" $root) -}}
{{- $key = "uri" -}}
{{- end -}}
{{- if $key -}}
{{- if not $secret -}}
{{- fail "secrets.existingSecret is required: the Secret holding the database URLs and keys" -}}
{{- end -}}
{{- $out = append $out (dict "env" (get $envs $name) "secret" $secret "key" $key) -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* The env entries and the projected volume of a list of secret files (from lotse.secretFiles). */}}
{{- define "lotse.secretFileEnv" -}}
{{- range . }}
- name: {{ .env }}_FILE
  value: /etc/lotse/secrets/{{ .env }}
{{- end }}
{{- end -}}

{{- define "lotse.secretVolume" -}}
- name: secrets
  projected:
    defaultMode: 0440
    sources:
{{- range . }}
      - secret:
          name: {{ .secret }}
          items:
            - key: {{ .key }}
              path: {{ .env }}
{{- end }}
{{- end -}}

{{/* The hardened security contexts shared by the instances and the migration Job. */}}
{{- define "lotse.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "lotse.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Checks on `config`: only LOTSE_* names, no secret in plain text, nothing the chart sets itself.
*/}}
{{- define "lotse.checkConfig" -}}
{{- $secretNames := list "LOTSE_DATABASE_URL" "LOTSE_MIGRATION_DATABASE_URL" "LOTSE_OIDC_CLIENT_SECRET" "LOTSE_AUDIT_SIGNING_KEY" "LOTSE_SMTP_PASSWORD" "LOTSE_DATABASE_REPLICA_URL" -}}
{{- $chartSets := list "LOTSE_HTTP_ADDR" "LOTSE_SHUTDOWN_GRACE" "LOTSE_SHUTDOWN_READINESS_DELAY" "LOTSE_MIGRATE" -}}
{{- range $k, $v := .Values.config -}}
{{- if not (hasPrefix "LOTSE_" $k) -}}
{{- fail (printf "config.%s: only LOTSE_* settings belong in config" $k) -}}
{{- end -}}
{{- if or (has $k $secretNames) (has (trimSuffix "_FILE" $k) $secretNames) -}}
{{- fail (printf "config.%s: secrets come from secrets.files (a Secret), never from values" $k) -}}
{{- end -}}
{{- if has $k $chartSets -}}
{{- fail (printf "config.%s: the chart sets it (LOTSE_HTTP_ADDR), through shutdown.* (LOTSE_SHUTDOWN_*), or never (LOTSE_MIGRATE: migrations run in the Job)" $k) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
With the CloudNativePG cluster: the server's certificate is verified against the cluster's CA.
pgx reads PGSSLMODE and PGSSLROOTCERT for a URL that sets neither (the operator's URL of the
owner sets neither).
*/}}
{{- define "lotse.dbTLS" -}}
{{- if and .Values.cnpg.enabled .Values.cnpg.verifyTLS }}true{{ end -}}
{{- end -}}

{{- define "lotse.dbTLSEnv" -}}
- name: PGSSLMODE
  value: verify-full
- name: PGSSLROOTCERT
  value: /etc/lotse/db-ca/ca.crt
{{- end -}}

{{- define "lotse.dbTLSMount" -}}
- name: db-ca
  mountPath: /etc/lotse/db-ca
  readOnly: true
{{- end -}}

{{- define "lotse.dbTLSVolume" -}}
- name: db-ca
  secret:
    secretName: {{ include "lotse.cnpgCluster" . }}-ca
    defaultMode: 0444
    items:
      - key: ca.crt
        path: ca.crt
{{- end -}}
