// SPDX-License-Identifier: GPL-2.0
#include "cmocka_wrap.h"
#include "base/cgroup_owner.h"

#define ID "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899"

static void systemd_units(void **state)
{
	struct cgroup_owner o;

	(void)state;
	cgroup_owner_parse("/system.slice/cilium.service", &o);
	assert_string_equal(o.unit, "cilium.service");
	assert_string_equal(o.container_id, "");
	assert_null(o.runtime);
	cgroup_owner_parse("/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope",
			   &o);
	assert_string_equal(o.unit, "app-gnome-firefox-4242.scope");
	cgroup_owner_parse("/system.slice", &o);
	assert_string_equal(o.unit, "system.slice");
	cgroup_owner_parse("/", &o);
	assert_string_equal(o.unit, "");
	cgroup_owner_parse("/process_api/019d44e3141c7ea7bed6c62860843f45", &o);
	assert_string_equal(o.unit, "");
	assert_string_equal(o.container_id, "");
}

static void docker(void **state)
{
	struct cgroup_owner o;

	(void)state;
	/* systemd cgroup driver */
	cgroup_owner_parse("/system.slice/docker-" ID ".scope", &o);
	assert_string_equal(o.container_id, ID);
	assert_string_equal(o.runtime, "docker");
	assert_string_equal(o.unit, "docker-" ID ".scope");
	/* cgroupfs driver: the path does not name the runtime */
	cgroup_owner_parse("/docker/" ID, &o);
	assert_string_equal(o.container_id, ID);
	assert_null(o.runtime);
	/* not an id: too short, or upper case */
	cgroup_owner_parse("/docker/3f4e5d6c", &o);
	assert_string_equal(o.container_id, "");
	cgroup_owner_parse("/system.slice/docker-3F4E5D6C7B8A99887766554433221100FFEEDDCCBBAA00112233445566778899.scope",
			   &o);
	assert_string_equal(o.container_id, "");
}

static void kubernetes_with_systemd_driver(void **state)
{
	struct cgroup_owner o;

	(void)state;
	cgroup_owner_parse("/kubepods.slice/kubepods-burstable.slice/"
			   "kubepods-burstable-pod8dbfa8a6_9c0e_4b43_bf4f_11a6f4dcd3c2.slice/"
			   "cri-containerd-" ID ".scope",
			   &o);
	assert_string_equal(o.pod_uid, "8dbfa8a6-9c0e-4b43-bf4f-11a6f4dcd3c2");
	assert_string_equal(o.container_id, ID);
	assert_string_equal(o.runtime, "containerd");
	/* guaranteed QoS has no qos slice */
	cgroup_owner_parse("/kubepods.slice/kubepods-pod8dbfa8a6_9c0e_4b43_bf4f_11a6f4dcd3c2.slice/crio-" ID ".scope",
			   &o);
	assert_string_equal(o.pod_uid, "8dbfa8a6-9c0e-4b43-bf4f-11a6f4dcd3c2");
	assert_string_equal(o.runtime, "cri-o");
	/* the pod's own cgroup, no container */
	cgroup_owner_parse("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8dbfa8a6_9c0e_4b43_bf4f_11a6f4dcd3c2.slice",
			   &o);
	assert_string_equal(o.pod_uid, "8dbfa8a6-9c0e-4b43-bf4f-11a6f4dcd3c2");
	assert_string_equal(o.container_id, "");
}

static void kubernetes_with_cgroupfs_driver(void **state)
{
	struct cgroup_owner o;

	(void)state;
	cgroup_owner_parse("/kubepods/burstable/pod8dbfa8a6-9c0e-4b43-bf4f-11a6f4dcd3c2/" ID,
			   &o);
	assert_string_equal(o.pod_uid, "8dbfa8a6-9c0e-4b43-bf4f-11a6f4dcd3c2");
	assert_string_equal(o.container_id, ID);
	/* containerd's systemd driver without scopes */
	cgroup_owner_parse("/system.slice/containerd.service/kubepods-burstable-pod8dbfa8a6_9c0e_4b43_bf4f_11a6f4dcd3c2.slice:cri-containerd:" ID,
			   &o);
	assert_string_equal(o.container_id, ID);
	assert_string_equal(o.runtime, "containerd");
	assert_string_equal(o.unit, "containerd.service");
}

static void podman(void **state)
{
	struct cgroup_owner o;

	(void)state;
	cgroup_owner_parse("/machine.slice/libpod-" ID ".scope/container", &o);
	assert_string_equal(o.container_id, ID);
	assert_string_equal(o.runtime, "podman");
	assert_string_equal(o.unit, "libpod-" ID ".scope");
}

static void a_word_containing_pod_is_not_a_pod(void **state)
{
	struct cgroup_owner o;

	(void)state;
	cgroup_owner_parse("/system.slice/ipod-sync.service", &o);
	assert_string_equal(o.pod_uid, "");
	cgroup_owner_parse("/system.slice/podman.service", &o);
	assert_string_equal(o.pod_uid, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(systemd_units),
		cmocka_unit_test(docker),
		cmocka_unit_test(kubernetes_with_systemd_driver),
		cmocka_unit_test(kubernetes_with_cgroupfs_driver),
		cmocka_unit_test(podman),
		cmocka_unit_test(a_word_containing_pod_is_not_a_pod),
	};

	return cmocka_run_group_tests_name("cgroup_owner", tests, NULL, NULL);
}
