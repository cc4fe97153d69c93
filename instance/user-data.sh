#!/bin/bash
# lustre-ha: the launch template's user data for every server (MGS, MDS, OSS).
#
# A CloudFormation Fn::Sub template: the stack fills in ${FileSystemName}, ${RolesTable},
# ${ResourcesTable}, ${AWS::Region}, the role serving the MGS (${Pool.MgsRole}: mgs, or mds01 when
# MgsOnMds) and the import's ${ImportBucket} and ${ImportPrefix} (empty: none); they stand inside a
# quoted here-document, so bash never expands anything in it. Embed it in the launch template as
#   UserData: !Base64 {"Fn::Sub": <this file's text>}
#
# The image carries the Lustre server packages, the bootstrap at /usr/local/sbin/lustre-ha-bootstrap
# and the health agent at /usr/local/sbin/lustre-ha-health-agent, with their enabled units
# lustre-ha-bootstrap.service and lustre-ha-health-agent.service (instance/README.md). User data
# runs once per instance, on its first boot; it only writes the settings and starts the units,
# which then also run at every later boot (a rebooted server mounts its targets again).
set -euo pipefail

install -d -m 0755 /etc/lustre-ha
cat >/etc/lustre-ha/bootstrap.env.new <<'SETTINGS'
FILE_SYSTEM=${FileSystemName}
ROLES_TABLE=${RolesTable}
RESOURCES_TABLE=${ResourcesTable}
AWS_REGION=${AWS::Region}
MGS_ROLE=${Pool.MgsRole}
IMPORT_BUCKET=${ImportBucket}
IMPORT_PREFIX=${ImportPrefix}
SETTINGS
chmod 0644 /etc/lustre-ha/bootstrap.env.new
mv /etc/lustre-ha/bootstrap.env.new /etc/lustre-ha/bootstrap.env

# --no-block: the wait for a role can be long (a standby waits until it is given one), and
# cloud-init must not wait for it. The health agent and the importer wait by themselves for the role
# to be mounted (the importer then exits at once unless an import is due and this server runs it).
systemctl enable lustre-ha-bootstrap.service lustre-ha-health-agent.service lustre-ha-import.service
systemctl start --no-block lustre-ha-bootstrap.service lustre-ha-health-agent.service lustre-ha-import.service
