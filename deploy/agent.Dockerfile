# The tcpcheck agent image: sh, iproute2 (ss) and procps, nothing else. About 10 MB.
# docker build -f deploy/agent.Dockerfile -t ghcr.io/tcpcheck/tcpcheck-agent:0.1.0 deploy/
FROM alpine:3.20
RUN apk add --no-cache iproute2-ss procps-ng
CMD ["sleep", "infinity"]
