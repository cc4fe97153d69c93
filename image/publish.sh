#!/usr/bin/env bash
# lustre-ha: builds the server image. Packs the instance files that image/instance-files.txt lists,
# uploads the archive to your bucket (named after its SHA-256), deploys image/template.yaml (the
# Image Builder pipeline) and starts a build; at the end the AMI id is in the SSM parameter the
# main stack's ServerImageParameter names. See docs/deploy.md.
#
#   image/publish.sh --bucket BUCKET [--stack lustre-ha-image] [--region R] [--lustre 2.15.6]
#                    [--parameter /lustre-ha/server-image] [--no-build] [--wait]
#
# Uses your AWS credentials (the AWS CLI's usual settings). The bucket must exist in the region.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
stack=lustre-ha-image bucket="" region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}} lustre=2.15.6
parameter=/lustre-ha/server-image build=yes wait=no

die() { echo "publish: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
    --bucket) bucket=${2:?}; shift 2 ;;
    --stack) stack=${2:?}; shift 2 ;;
    --region) region=${2:?}; shift 2 ;;
    --lustre) lustre=${2:?}; shift 2 ;;
    --parameter) parameter=${2:?}; shift 2 ;;
    --no-build) build=no; shift ;;
    --wait) wait=yes; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[ -n "$bucket" ] || die "--bucket is required"
[ -n "$region" ] || die "no region: give --region or set AWS_REGION"
export AWS_REGION=$region AWS_DEFAULT_REGION=$region

# The archive: the listed files and the list itself, with fixed owners, modes and times so the same
# files give the same SHA-256 (and the same image version) wherever they are packed.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/files"
cp "$here/instance-files.txt" "$work/files/"
while read -r src _dest _mode; do
  case $src in ''|'#'*) continue ;; esac
  [ -f "$root/instance/$src" ] || die "instance/$src is listed in image/instance-files.txt but does not exist"
  cp "$root/instance/$src" "$work/files/$src"
done <"$here/instance-files.txt"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/files" -cf - . | gzip -n >"$work/instance-files.tar.gz"
sha=$(sha256sum "$work/instance-files.tar.gz" | cut -d' ' -f1)
key=lustre-ha/instance-files-$sha.tar.gz

# Image Builder versions are immutable: the version follows the content (files, release, template),
# 1.0.<a number from the content hash>, so a change gives a new version and the same content the same
# one (a redeploy of the same content changes nothing).
content=$(cat "$work/instance-files.tar.gz" "$here/template.yaml" <(echo "$lustre") | sha256sum | cut -c1-7)
version=1.0.$((16#$content))

echo "publish: instance files $sha, image version $version, Lustre $lustre"
aws s3 cp --only-show-errors "$work/instance-files.tar.gz" "s3://$bucket/$key"
aws cloudformation deploy --stack-name "$stack" --template-file "$here/template.yaml" \
  --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
  --parameter-overrides InstanceFilesBucket="$bucket" InstanceFilesKey="$key" InstanceFilesSha256="$sha" \
    LustreVersion="$lustre" ImageParameterName="$parameter" ImageVersion="$version"
pipeline=$(aws cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[?OutputKey=='PipelineArn'].OutputValue" --output text)
[ "$build" = yes ] || { echo "publish: pipeline $pipeline deployed; not starting a build (--no-build)"; exit 0; }
image=$(aws imagebuilder start-image-pipeline-execution --image-pipeline-arn "$pipeline" \
  --query imageBuildVersionArn --output text)
echo "publish: building $image (some 30-60 minutes)"
[ "$wait" = yes ] || { echo "publish: follow it with: aws imagebuilder get-image --image-build-version-arn $image"; exit 0; }
while :; do
  status=$(aws imagebuilder get-image --image-build-version-arn "$image" --query image.state.status --output text)
  case $status in
    AVAILABLE) break ;;
    FAILED|CANCELLED|DEPRECATED|DELETED) die "the build ended $status: see the Image Builder console or its logs" ;;
  esac
  sleep 60
done
echo "publish: AMI $(aws ssm get-parameter --name "$parameter" --query Parameter.Value --output text) in $parameter"
