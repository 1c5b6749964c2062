# The crawler node's image (k8s/ runs it): built with the SDK, run on the chiseled ASP.NET runtime (no shell,
# no package manager) as the non-root user 1654. The cluster-config/ files it carries are replaced on
# Kubernetes by the ConfigMap mounted at /app/cluster-config.
# VERSION is the image's version: it becomes the assembly's, which the nodes give the cluster as their
# akka.cluster.app-version (during a rollout shards move to the newest version's pods).
#   docker build --build-arg VERSION=0.1.0 -t crawler:0.1.0 .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG VERSION=0.1.0
WORKDIR /src
COPY . .
# ReadyToRun: precompiled code, so a node spends less CPU compiling at start (docs/benchmarks.md, one site vs wget).
RUN dotnet publish src/Crawler.Node/Crawler.Node.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -p:Version=$VERSION -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /app .
USER 1654
EXPOSE 4053 9464
ENTRYPOINT ["dotnet", "/app/crawler.dll"]
CMD ["run", "--no-live"]
